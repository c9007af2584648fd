package com.catalytic.deploy.legacy;

/**
 * A row of the original database that is not imported: {@code rejected} when it cannot be (malformed, duplicate,
 * its parent not imported), otherwise left out on purpose ({@code not carried over}: a deleted tenant, a cancelled
 * subscription, a failed computation).
 */
record Rejection(String table, String id, String reason, boolean rejected) {

    static Rejection rejected(String table, String id, String reason) {
        return new Rejection(table, id, reason, true);
    }

    static Rejection skipped(String table, String id, String reason) {
        return new Rejection(table, id, reason, false);
    }

    String line() {
        return table + " " + (id == null || id.isBlank() ? "(no id)" : LegacyValues.abbreviate(id)) + ": " + reason;
    }
}
