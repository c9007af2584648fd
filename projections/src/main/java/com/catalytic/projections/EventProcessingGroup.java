package com.catalytic.projections;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.usage.UsageEvents;
import com.catalytic.projections.usage.UsageLoad;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every event-processing group of the system, declared once: how its processor runs and, for a projection, the read
 * tables it owns. The application's Axon configuration sets up the processors from it; {@code projections rebuild}
 * replays the projections into fresh copies of exactly their tables. A handler joins a group with
 * {@code @ProcessingGroup(ProcessingGroupNames.…)}, and every group it names is declared here (a test checks).
 */
public enum EventProcessingGroup {

    // login, key verification and every tenant check read these at once, on every node
    ACCOUNTS(ProcessingGroupNames.ACCOUNTS, Mode.SUBSCRIBING, List.of("tenants", "users", "api_keys", "subscriptions")),
    SESSIONS(ProcessingGroupNames.SESSIONS, Mode.SUBSCRIBING, List.of("auth_sessions")),
    ACCESS_CHANGES(ProcessingGroupNames.ACCESS_CHANGES, Mode.SUBSCRIBING, List.of("access_changes")),
    // usage records are many and nobody needs them in the same instant
    USAGE(ProcessingGroupNames.USAGE, Mode.POOLED_STREAMING, List.of("usage_logs", "usage_rollups"),
            new UsageLoad()),
    // metered calls are usage_logs, not audit entries
    AUDIT(ProcessingGroupNames.AUDIT, Mode.POOLED_STREAMING, List.of("audit_logs", "audit_heads"),
            Option.SKIPS_METERED_CALLS),
    // a webhook's answer, and the next delivery, see a change at once
    WEBHOOKS(ProcessingGroupNames.WEBHOOKS, Mode.SUBSCRIBING, List.of("webhooks")),
    // a lattice is readable (and gone) as soon as its POST (DELETE) answers
    LATTICES(ProcessingGroupNames.LATTICES, Mode.SUBSCRIBING, List.of("lattices", "lattice_operations")),
    // evicts this node's cached credentials and account reads once the command commits; owns no table
    CREDENTIAL_INVALIDATION(ProcessingGroupNames.CREDENTIAL_INVALIDATION, Mode.SUBSCRIBING, List.of()),
    // an erasure destroys the subject's key, and the plain copies outside the events, in its own transaction
    PERSONAL_DATA(ProcessingGroupNames.PERSONAL_DATA, Mode.SUBSCRIBING, List.of()),
    // e-mails are for what happens from now on: a first deployment does not greet every existing tenant
    NOTIFICATIONS(ProcessingGroupNames.NOTIFICATIONS, Mode.POOLED_STREAMING, List.of(), Option.STARTS_AT_HEAD,
            Option.SKIPS_IMPORTED_HISTORY),
    // webhooks deliver what happens from now on too, and never again on a replay
    WEBHOOK_DELIVERIES(ProcessingGroupNames.WEBHOOK_DELIVERIES, Mode.POOLED_STREAMING, List.of(),
            Option.STARTS_AT_HEAD, Option.SKIPS_METERED_CALLS, Option.SKIPS_IMPORTED_HISTORY);

    public enum Mode {
        /** Handled in the publishing command's transaction, on the node that handled the command. */
        SUBSCRIBING,
        /** Handled asynchronously in batches, its segments claimed across nodes through the token store. */
        POOLED_STREAMING
    }

    public enum Option {
        /** Starts at the head of the event store when first deployed: what it does is never done for the past. */
        STARTS_AT_HEAD,
        /** Metered calls (usage events) are skipped before their (large) payloads are deserialized. */
        SKIPS_METERED_CALLS,
        /**
         * Events imported from the original service ({@code catalytic import legacy}) are history, not news: no
         * welcome e-mail, no webhook, even when imported into a running installation.
         */
        SKIPS_IMPORTED_HISTORY
    }

    /** The metadata an imported event carries: {@code origin} = {@code legacy-import}. */
    public static final String ORIGIN = "origin";
    public static final String IMPORTED = "legacy-import";

    private final String groupName;
    private final Mode mode;
    private final List<String> tables;
    private final Set<Option> options;
    private final StoreLoad storeLoad;

    EventProcessingGroup(String groupName, Mode mode, List<String> tables, Option... options) {
        this(groupName, mode, tables, null, options);
    }

    EventProcessingGroup(String groupName, Mode mode, List<String> tables, StoreLoad storeLoad, Option... options) {
        this.groupName = groupName;
        this.mode = mode;
        this.tables = tables;
        this.storeLoad = storeLoad;
        this.options = Set.of(options);
    }

    /** The name handlers give in {@code @ProcessingGroup}, also the processor's name in the token store. */
    public String groupName() {
        return groupName;
    }

    public Mode mode() {
        return mode;
    }

    /** The read tables this group builds and nothing else writes, in the order a rebuild swaps them in. */
    public List<String> tables() {
        return tables;
    }

    /** How a rebuild fills this projection's tables in the database, if it does, before replaying into them. */
    public Optional<StoreLoad> storeLoad() {
        return Optional.ofNullable(storeLoad);
    }

    public boolean has(Option option) {
        return options.contains(option);
    }

    /** Whether the group leaves events of this payload type to the others before its handlers see them. */
    public boolean skips(Class<?> payloadType) {
        return has(Option.SKIPS_METERED_CALLS) && UsageEvents.recordsCalls(payloadType);
    }

    /** A projection: it owns read tables, which {@code projections rebuild} can build again from the events. */
    public boolean isProjection() {
        return !tables.isEmpty();
    }

    /** The projections, in declaration order. */
    public static List<EventProcessingGroup> projections() {
        return Arrays.stream(values()).filter(EventProcessingGroup::isProjection).toList();
    }

    public static Optional<EventProcessingGroup> named(String groupName) {
        return Arrays.stream(values()).filter(g -> g.groupName.equals(groupName)).findFirst();
    }
}
