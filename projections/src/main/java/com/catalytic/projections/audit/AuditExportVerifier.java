package com.catalytic.projections.audit;

import com.catalytic.projections.audit.AuditChain.Entry;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Verifies an audit export ({@code GET /api/audit-logs/export}, NDJSON, unfiltered) without the database: every
 * row's hash is recomputed from its content and its predecessor's hash, sequence numbers must run 1, 2, 3… with
 * nothing missing, repeated or out of order, and the chain must reach the checkpoint's entry with the checkpoint's
 * head hash. A changed byte, a deleted row, a reordered pair or a truncated tail each name the first bad row.
 */
public final class AuditExportVerifier {

    /** {@code firstBad}: the line (1-based) of the first bad row, 0 when the export is only too short. */
    public record Result(boolean valid, long checked, String headHash, long firstBadLine, String problem) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditExportVerifier() {
    }

    /**
     * @param tenantId  whose chain the export is (the checkpoint says; the export's rows do not repeat it)
     * @param count     the checkpoint's entry: the export must hold at least this many
     * @param headHash  the checkpoint's hash of entry {@code count}
     */
    public static Result verify(BufferedReader export, String tenantId, long count, String headHash)
            throws IOException {
        String previous = AuditChain.GENESIS;
        long seq = 0;
        long line = 0;
        String text;
        while ((text = export.readLine()) != null) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            JsonNode row;
            Entry entry;
            try {
                row = JSON.readTree(text);
                entry = entry(row, tenantId);
            } catch (JsonProcessingException | IllegalArgumentException | DateTimeParseException e) {
                return bad(seq, previous, line, "line " + line + " is not an audit row: " + e.getMessage());
            }
            String where = "line " + line + " (entry " + entry.seq() + ", " + entry.id() + ")";
            if (entry.seq() != seq + 1) {
                return bad(seq, previous, line, where + ": expected entry " + (seq + 1)
                        + (entry.seq() <= seq ? " (a repeated or reordered row)" : " (rows are missing before it)"));
            }
            if (!previous.equals(row.path("prev_hash").asText())) {
                return bad(seq, previous, line, where + ": its prev_hash is not the hash of the row before it");
            }
            String computed = AuditChain.hash(previous, entry);
            if (!computed.equals(row.path("hash").asText())) {
                return bad(seq, previous, line, where + ": its content does not match its hash (changed)");
            }
            if (entry.seq() == count && !computed.equals(headHash)) {
                return bad(seq, previous, line, where + ": the checkpoint signed another head hash for this entry");
            }
            previous = computed;
            seq = entry.seq();
        }
        if (seq < count) {
            return new Result(false, seq, previous, 0, "the export ends at entry " + seq + "; entries " + (seq + 1)
                    + " to " + count + " of the checkpoint are missing (truncated)");
        }
        return new Result(true, seq, previous, -1, null);
    }

    private static Result bad(long checked, String head, long line, String problem) {
        return new Result(false, checked, head, line, problem);
    }

    private static Entry entry(JsonNode r, String tenantId) {
        if (!r.isObject() || !r.path("seq").canConvertToLong() || !r.hasNonNull("id")) {
            throw new IllegalArgumentException("no seq or id");
        }
        return new Entry(r.path("seq").asLong(), r.path("id").asText(), tenantId,
                r.hasNonNull("global_index") ? r.path("global_index").asLong() : null, text(r, "actor_type"),
                text(r, "actor_id"), text(r, "api_key_id"), text(r, "action"), text(r, "target_type"),
                text(r, "target_id"), text(r, "ip"), text(r, "user_agent"), text(r, "request_id"),
                Instant.parse(r.path("occurred_at").asText()), text(r, "changes"));
    }

    private static String text(JsonNode r, String field) {
        JsonNode v = r.get(field);
        return v == null || v.isNull() ? null : v.isTextual() ? v.asText() : v.toString();
    }
}
