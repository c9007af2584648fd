package com.catalytic.api;

/**
 * The name of every event-processing group of the system, as the compile-time constants that
 * {@code @ProcessingGroup} takes; here because handlers on the command, projection and query sides join them. What
 * each group is (its mode, where it starts, the tables it owns) is declared once, beside the read models, by
 * {@code com.catalytic.projections.EventProcessingGroup}.
 */
public final class ProcessingGroupNames {

    public static final String ACCOUNTS = "accounts";
    public static final String SESSIONS = "sessions";
    public static final String ACCESS_CHANGES = "access-changes";
    public static final String USAGE = "usage";
    public static final String AUDIT = "audit";
    public static final String WEBHOOKS = "webhooks";
    public static final String LATTICES = "lattices";
    public static final String CREDENTIAL_INVALIDATION = "credential-invalidation";
    public static final String NOTIFICATIONS = "notifications";
    public static final String WEBHOOK_DELIVERIES = "webhook-deliveries";
    public static final String PERSONAL_DATA = "personal-data";

    private ProcessingGroupNames() {
    }
}
