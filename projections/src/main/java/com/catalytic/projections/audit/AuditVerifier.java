package com.catalytic.projections.audit;

import com.catalytic.projections.audit.AuditChain.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Re-hashes a tenant's audit chain from the rows' content (not by trusting the stored hashes) and reports the first
 * broken link: a row whose content no longer matches its hash, a link pointing at the wrong predecessor, a missing
 * entry (a gap in the sequence), or entries missing at the end (the chain is shorter than its recorded head). Given a
 * signed checkpoint, it also catches a chain rewritten consistently (every hash recomputed): the entry the checkpoint
 * names no longer has the checkpoint's head hash.
 */
public class AuditVerifier {

    public static final String CHAIN_BROKEN = "chain_broken";
    public static final String CHECKPOINT_MISMATCH = "checkpoint_mismatch";

    public record Broken(long seq, String id, String code, String reason) {

        Broken(long seq, String id, String reason) {
            this(seq, id, CHAIN_BROKEN, reason);
        }
    }

    /** What a signed checkpoint asserts: the chain had {@code count} entries and entry {@code count} had this hash. */
    public record Checkpoint(long count, String headHash) {
    }

    public record Result(String tenantId, boolean valid, long checked, String headHash, Broken firstBroken) {
    }

    private final JdbcTemplate jdbc;

    public AuditVerifier(javax.sql.DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.jdbc.setFetchSize(1000);
    }

    public List<String> tenants() {
        return jdbc.queryForList("SELECT tenant_id FROM audit_heads UNION SELECT DISTINCT tenant_id FROM audit_logs",
                String.class).stream().distinct().sorted().toList();
    }

    public List<Result> verifyAll() {
        List<Result> out = new ArrayList<>();
        for (String tenant : tenants()) {
            out.add(verify(tenant));
        }
        return out;
    }

    public Result verify(String tenantId) {
        return verify(tenantId, null);
    }

    public Result verify(String tenantId, Checkpoint checkpoint) {
        final long[] state = {0};          // entries checked
        final String[] prev = {AuditChain.GENESIS};
        final Broken[] broken = {null};
        jdbc.query("SELECT seq, id, tenant_id, global_index, actor_type, actor_id, api_key_id, action, target_type, "
                + "target_id, ip, user_agent, request_id, occurred_at, changes, prev_hash, hash FROM audit_logs "
                + "WHERE tenant_id = ? ORDER BY seq", rs -> {
                    if (broken[0] != null) {
                        return;
                    }
                    long seq = rs.getLong(1);
                    String id = rs.getString(2);
                    long expected = state[0] + 1;
                    if (seq != expected) {
                        broken[0] = new Broken(expected, null, "entry " + expected + " is missing");
                        return;
                    }
                    long gi = rs.getLong(4);
                    Entry e = new Entry(seq, id, rs.getString(3), rs.wasNull() ? null : gi, rs.getString(5),
                            rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                            rs.getString(11), rs.getString(12), rs.getString(13), rs.getTimestamp(14).toInstant(),
                            rs.getString(15));
                    if (!prev[0].equals(rs.getString(16))) {
                        broken[0] = new Broken(seq, id, "does not link to the entry before it");
                        return;
                    }
                    String computed = AuditChain.hash(prev[0], e);
                    if (!computed.equals(rs.getString(17))) {
                        broken[0] = new Broken(seq, id, "content does not match its hash");
                        return;
                    }
                    if (checkpoint != null && seq == checkpoint.count() && !computed.equals(checkpoint.headHash())) {
                        broken[0] = new Broken(seq, id, CHECKPOINT_MISMATCH, "entry " + seq + " no longer has the "
                                + "checkpoint's head hash: the chain was rewritten at or before it");
                        return;
                    }
                    prev[0] = computed;
                    state[0] = seq;
                }, tenantId);
        if (broken[0] == null && checkpoint != null && state[0] < checkpoint.count()) {
            broken[0] = new Broken(state[0] + 1, null, CHECKPOINT_MISMATCH, "the chain has " + state[0]
                    + " entries, the checkpoint " + checkpoint.count());
        }
        if (broken[0] == null) {
            List<Map<String, Object>> head = jdbc.queryForList("SELECT seq, hash FROM audit_heads WHERE tenant_id = ?",
                    tenantId);
            if (!head.isEmpty()) {
                long headSeq = ((Number) head.get(0).get("seq")).longValue();
                if (headSeq != state[0] || !prev[0].equals(head.get(0).get("hash"))) {
                    broken[0] = new Broken(state[0] + 1, null, "entries " + (state[0] + 1) + " to " + headSeq
                            + " are missing at the end of the chain");
                }
            }
        }
        return new Result(tenantId, broken[0] == null, state[0], prev[0], broken[0]);
    }
}
