package com.catalytic.projections.audit;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.error.SecretFields;
import com.catalytic.api.usage.UsageEvents;
import com.catalytic.projections.audit.AuditChain.Entry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Builds {@code audit_logs} from every event except metered calls (those are {@code usage_logs}), chaining each
 * tenant's entries by hash. Events of one tenant are processed in order by one segment (sequencing by the
 * {@code tenant_id} metadata), so each chain grows strictly one entry at a time.
 */
@Component
@ProcessingGroup(ProcessingGroupNames.AUDIT)
class AuditProjection {

    /** The size of {@code audit_logs.changes}. */
    static final int MAX_CHANGES = 8000;
    private static final String PENDING = AuditProjection.class.getName() + ".pending";
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private final JdbcTemplate jdbc;
    private final boolean dedupe;
    private final boolean soleWriter;
    /** With {@code soleWriter}: each tenant's head as last committed, kept between batches. */
    private final Map<String, AuditHead> committedHeads = new ConcurrentHashMap<>();

    /**
     * @param dedupe     skip events already in the table (off only while rebuilding into empty tables)
     * @param soleWriter nothing else writes these tables (a rebuild into tables of its own): a chain head read
     *                   or written once stays in memory instead of being read again for every batch, and the
     *                   heads of a batch are written with one batched statement (PostgreSQL)
     */
    public AuditProjection(JdbcTemplate jdbc, @Value("${catalytic.audit.dedupe:true}") boolean dedupe,
                           @Value("${catalytic.audit.sole-writer:false}") boolean soleWriter) {
        this.jdbc = jdbc;
        this.dedupe = dedupe;
        this.soleWriter = soleWriter;
    }

    private static final class Batch {
        final Map<String, AuditHead> heads = new HashMap<>();
        final List<Entry> entries = new ArrayList<>();
        final List<String> hashes = new ArrayList<>();
        final List<String> prevs = new ArrayList<>();
        final Set<String> seen = new HashSet<>();
    }

    private boolean alreadyAudited(String eventId) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM audit_logs WHERE id = ?", Integer.class, eventId);
        return n != null && n > 0;
    }

    @EventHandler
    void on(EventMessage<?> event, TrackingToken token) {
        if (UsageEvents.recordsCalls(event.getPayloadType())) {
            return; // metered calls are not audited: skipped by type, their payload never read
        }
        Object payload = event.getPayload();
        Object tenant = event.getMetaData().get("tenant_id");
        if (tenant == null) {
            return; // not tenant-scoped: nothing in this version
        }
        String tenantId = tenant.toString();
        Batch batch = batch();
        if (dedupe && (batch.seen.contains(event.getIdentifier()) || alreadyAudited(event.getIdentifier()))) {
            return; // delivered again (after a rebuild swapped this table in): the chain already has it
        }
        batch.seen.add(event.getIdentifier());
        AuditActions.Action action = AuditActions.of(payload, event);
        AuditHead head = batch.heads.computeIfAbsent(tenantId, this::loadHead);
        Long globalIndex = globalIndex(event, token);
        Entry entry = new Entry(head.seq() + 1, event.getIdentifier(), tenantId, globalIndex,
                meta(event, "actor_type", "system"), meta(event, "actor_id", null), meta(event, "api_key_id", null),
                action.name(), action.targetType(), action.targetId(), meta(event, "ip", null),
                meta(event, "user_agent", null), meta(event, "request_id", null), event.getTimestamp(),
                changes(payload));
        String hash = AuditChain.hash(head.hash(), entry);
        batch.entries.add(entry);
        batch.prevs.add(head.hash());
        batch.hashes.add(hash);
        batch.heads.put(tenantId, new AuditHead(entry.seq(), hash));
    }

    /**
     * The event's position in the event store. A gap-aware token's position is the highest index seen, which is not
     * this event's when it filled a gap (a transaction that committed after a later one): live, that is asked of
     * the store; a rebuild reads in order, where the two are the same.
     */
    private Long globalIndex(EventMessage<?> event, TrackingToken token) {
        if (dedupe && token instanceof GapAwareTrackingToken) {
            List<Long> stored = jdbc.queryForList("SELECT global_index FROM domain_event_entry WHERE event_identifier = ?",
                    Long.class, event.getIdentifier());
            if (!stored.isEmpty()) {
                return stored.get(0);
            }
        }
        return token == null ? null : token.position().stream().boxed().findFirst().orElse(null);
    }

    private Batch batch() {
        if (!CurrentUnitOfWork.isStarted()) {
            throw new IllegalStateException("audit entries are written within a unit of work");
        }
        UnitOfWork<?> uow = CurrentUnitOfWork.get().root();
        return uow.getOrComputeResource(PENDING, k -> {
            Batch b = new Batch();
            uow.onPrepareCommit(u -> write(b));
            if (soleWriter) {
                uow.afterCommit(u -> committedHeads.putAll(b.heads));
            }
            return b;
        });
    }

    private AuditHead loadHead(String tenantId) {
        if (soleWriter) {
            AuditHead known = committedHeads.get(tenantId);
            if (known != null) {
                return known;
            }
        }
        AuditHead recorded = AuditHead.recorded(jdbc, tenantId);
        return recorded != null ? recorded : new AuditHead(0, AuditChain.GENESIS);
    }

    private void write(Batch b) {
        if (b.entries.isEmpty()) {
            return;
        }
        List<Object[]> rows = new ArrayList<>(b.entries.size());
        for (int i = 0; i < b.entries.size(); i++) {
            Entry e = b.entries.get(i);
            rows.add(new Object[] {e.id(), e.tenantId(), e.seq(), e.globalIndex(), e.actorType(), e.actorId(),
                    e.apiKeyId(), e.action(), e.targetType(), e.targetId(), e.ip(), e.userAgent(), e.requestId(),
                    Timestamp.from(e.occurredAt()), e.changes(), b.prevs.get(i), b.hashes.get(i)});
        }
        jdbc.batchUpdate("INSERT INTO audit_logs (id, tenant_id, seq, global_index, actor_type, actor_id, api_key_id, "
                + "action, target_type, target_id, ip, user_agent, request_id, occurred_at, changes, prev_hash, hash) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
        if (soleWriter) {
            List<Object[]> heads = new ArrayList<>(b.heads.size());
            b.heads.forEach((tenantId, head) -> heads.add(new Object[] {tenantId, head.seq(), head.hash()}));
            jdbc.batchUpdate("INSERT INTO audit_heads (tenant_id, seq, hash) VALUES (?, ?, ?) ON CONFLICT (tenant_id) "
                    + "DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash", heads);
            return;
        }
        b.heads.forEach((tenantId, head) -> {
            if (jdbc.update("UPDATE audit_heads SET seq = ?, hash = ? WHERE tenant_id = ?", head.seq(), head.hash(),
                    tenantId) == 0) {
                jdbc.update("INSERT INTO audit_heads (tenant_id, seq, hash) VALUES (?, ?, ?)", tenantId, head.seq(),
                        head.hash());
            }
        });
    }

    private static String meta(EventMessage<?> event, String key, String fallback) {
        Object v = event.getMetaData().get(key);
        return v == null ? fallback : v.toString();
    }

    /** The event's fields in snake_case, canonical, with every secret-looking field (hashes, tokens) removed. */
    static String changes(Object payload) {
        JsonNode tree = JSON.valueToTree(payload);
        if (tree instanceof ObjectNode obj) {
            Iterator<String> names = obj.fieldNames();
            List<String> drop = new ArrayList<>();
            names.forEachRemaining(n -> {
                if (SecretFields.isSecret(n)) {
                    drop.add(n);
                }
            });
            obj.remove(drop);
        }
        String json = AuditChain.canonicalJson(tree);
        if (json.length() > MAX_CHANGES && tree instanceof ObjectNode obj) {
            // e.g. a lattice's obstacle list: the entry names how many items there were; the event keeps them all
            List<String> arrays = new ArrayList<>();
            obj.fieldNames().forEachRemaining(n -> {
                if (obj.get(n).isArray()) {
                    arrays.add(n);
                }
            });
            for (String n : arrays) {
                int items = obj.get(n).size();
                obj.putObject(n).put("omitted_items", items);
            }
            json = AuditChain.canonicalJson(obj);
        }
        return json.length() > MAX_CHANGES ? json.substring(0, MAX_CHANGES) : json;
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM audit_logs");
        jdbc.update("DELETE FROM audit_heads");
    }


}
