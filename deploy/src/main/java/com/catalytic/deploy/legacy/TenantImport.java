package com.catalytic.deploy.legacy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One tenant of the original service as this service's events, in the order its aggregates would have applied
 * them, each at the time the original recorded; with the unique names (slug, e-mails) it claims. Event ids are
 * derived from the stream and position, so the same tenant imported twice cannot be stored twice.
 */
final class TenantImport {

    /** An event to append: {@code type} null for an event outside any aggregate (usage). */
    record Staged(String type, String aggregateId, long sequence, Object payload, Instant at, String eventId) {
    }

    record Claim(String scope, String value, String ownerId) {
    }

    final String tenantId;
    /** The tenant's id exactly as the original stored it (its rows refer to it so). */
    final String sourceId;
    final String name;
    /** Stored by an earlier run: only its missing usage history is written. */
    final boolean alreadyImported;
    final List<Staged> events = new ArrayList<>();
    final List<Claim> claims = new ArrayList<>();
    /** Rows imported per table of the original. */
    final Map<String, Long> rows = new LinkedHashMap<>();
    /** Imported user ids, and api key ids, of this tenant (usage rows keep references only to these). */
    final Map<String, String> users = new HashMap<>();
    final Map<String, String> apiKeys = new HashMap<>();
    private final Map<String, Long> next = new HashMap<>();

    TenantImport(String tenantId, String sourceId, String name, boolean alreadyImported) {
        this.tenantId = tenantId;
        this.sourceId = sourceId;
        this.name = name;
        this.alreadyImported = alreadyImported;
    }

    void add(String type, String aggregateId, Object payload, Instant at) {
        long seq = next.merge(aggregateId, 1L, Long::sum) - 1;
        events.add(new Staged(type, aggregateId, seq, payload, at, eventId(aggregateId + "/" + seq)));
    }

    void counted(String table) {
        rows.merge(table, 1L, Long::sum);
    }

    /** The id of an imported event: the same for the same stream position in every run. */
    static String eventId(String position) {
        return UUID.nameUUIDFromBytes(("catalytic-legacy-import/" + position).getBytes(StandardCharsets.UTF_8))
                .toString();
    }
}
