package com.catalytic.projections.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit trail's tamper evidence, shared by the writer and every verifier: the canonical form of an entry
 * (JSON, keys sorted, no whitespace) and the chain rule {@code hash_n = SHA-256(hash_{n-1} || canonical(entry_n))}.
 * The genesis {@code hash_0} is 64 zeros.
 */
public final class AuditChain {

    public static final String GENESIS = "0".repeat(64);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The content of one entry; everything here is covered by the hash. */
    public record Entry(long seq, String id, String tenantId, Long globalIndex, String actorType, String actorId,
                        String apiKeyId, String action, String targetType, String targetId, String ip,
                        String userAgent, String requestId, Instant occurredAt, String changes) {

        public Entry {
            occurredAt = occurredAt.truncatedTo(ChronoUnit.MILLIS);
        }
    }

    private AuditChain() {
    }

    public static String canonical(Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("action", e.action());
        m.put("actor_id", e.actorId());
        m.put("actor_type", e.actorType());
        m.put("api_key_id", e.apiKeyId());
        m.put("changes", e.changes());
        m.put("global_index", e.globalIndex());
        m.put("id", e.id());
        m.put("ip", e.ip());
        m.put("occurred_at", e.occurredAt().toString());
        m.put("request_id", e.requestId());
        m.put("seq", e.seq());
        m.put("target_id", e.targetId());
        m.put("target_type", e.targetType());
        m.put("tenant_id", e.tenantId());
        m.put("user_agent", e.userAgent());
        try {
            return JSON.writeValueAsString(m);
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    public static String hash(String previous, Entry e) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(previous.getBytes(StandardCharsets.US_ASCII));
            md.update(canonical(e).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** A JSON tree with object keys sorted at every level, written without whitespace. */
    public static String canonicalJson(JsonNode node) {
        try {
            return JSON.writeValueAsString(sorted(node));
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JSON.createObjectNode();
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            names.forEach(n -> out.set(n, sorted(node.get(n))));
            return out;
        }
        if (node.isArray()) {
            var out = JSON.createArrayNode();
            node.forEach(child -> out.add(sorted(child)));
            return out;
        }
        return node;
    }
}
