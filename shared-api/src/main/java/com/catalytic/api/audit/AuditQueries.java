package com.catalytic.api.audit;

public final class AuditQueries {

    private AuditQueries() {
    }

    /** The head of a tenant's audit chain; answered with {@link AuditHead} (seq 0 and the genesis hash if empty). */
    public record AuditHeadQuery(String tenantId) {
    }

    public record AuditHead(String tenantId, long seq, String hash) {
    }
}
