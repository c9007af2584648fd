package com.catalytic.query.audit;

import com.catalytic.infrastructure.credentials.TokenService;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Signed checkpoints of the audit chains, kept in the database: one is signed for each tenant whose chain grew,
 * at most every {@code catalytic.audit.checkpoint-interval} (default an hour), and one whenever a caller asks for
 * one. Any node may sign; a checkpoint of a head already checkpointed is not stored again.
 */
@Component
class AuditCheckpoints {

    private static final Logger log = LoggerFactory.getLogger(AuditCheckpoints.class);

    record Stored(String tenantId, long count, String headHash, Instant checkpointAt, String signature) {
        Map<String, Object> json() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("tenant_id", tenantId);
            out.put("count", count);
            out.put("head_hash", headHash);
            out.put("checkpoint_at", checkpointAt.toString());
            out.put("signature", signature);
            return out;
        }
    }

    private final JdbcTemplate jdbc;
    private final TokenService signer;
    private final Clock clock;
    private final Duration interval;

    AuditCheckpoints(JdbcTemplate jdbc, TokenService signer, Clock clock,
                     @Value("${catalytic.audit.checkpoint-interval:1h}") Duration interval) {
        this.jdbc = jdbc;
        this.signer = signer;
        this.clock = clock;
        this.interval = interval;
    }

    /** Signs the chain's head as it is now and keeps the checkpoint. */
    Stored sign(String tenantId, long count, String headHash) {
        // to the microsecond, as the database keeps it: the listed checkpoint says what the signed one says
        Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("tenant_id", tenantId);
        claims.put("count", count);
        claims.put("head_hash", headHash);
        claims.put("checkpoint_at", at.toString());
        Stored signed = new Stored(tenantId, count, headHash, at, signer.signCheckpoint(claims));
        jdbc.update("INSERT INTO audit_checkpoints (tenant_id, seq, head_hash, checkpoint_at, signature) "
                        + "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", tenantId, count, headHash,
                Timestamp.from(at), signed.signature());
        return signed;
    }

    /** The tenant's kept checkpoints, newest first, after the chain length {@code before} (null: from the newest). */
    List<Stored> list(String tenantId, Long before, int limit) {
        return jdbc.query("SELECT tenant_id, seq, head_hash, checkpoint_at, signature FROM audit_checkpoints "
                        + "WHERE tenant_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
                (rs, i) -> new Stored(rs.getString(1), rs.getLong(2), rs.getString(3),
                        rs.getTimestamp(4).toInstant(), rs.getString(5)),
                tenantId, before == null ? Long.MAX_VALUE : before, limit);
    }

    /** Checkpoints every chain that grew since its last checkpoint, if that is at least an interval old. */
    @Scheduled(fixedDelayString = "${catalytic.audit.checkpoint-tick:60s}", initialDelayString = "${catalytic.audit.checkpoint-tick:60s}")
    void checkpointGrownChains() {
        Timestamp due = Timestamp.from(clock.instant().minus(interval));
        List<Map<String, Object>> heads = jdbc.queryForList("SELECT h.tenant_id, h.seq, h.hash FROM audit_heads h "
                + "WHERE NOT EXISTS (SELECT 1 FROM audit_checkpoints c WHERE c.tenant_id = h.tenant_id "
                + "AND (c.seq >= h.seq OR c.checkpoint_at > ?))", due);
        for (Map<String, Object> h : heads) {
            sign(h.get("tenant_id").toString(), ((Number) h.get("seq")).longValue(), h.get("hash").toString());
        }
        if (!heads.isEmpty()) {
            log.info("Signed audit checkpoints of {} tenant(s)", heads.size());
        }
    }
}
