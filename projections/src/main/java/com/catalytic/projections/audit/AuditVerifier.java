package com.catalytic.projections.audit;

import com.catalytic.projections.audit.AuditChain.Entry;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Re-hashes a tenant's audit chain from the rows' content (not by trusting the stored hashes) and reports the first
 * broken link: a row whose content no longer matches its hash, a link pointing at the wrong predecessor, a missing
 * entry (a gap in the sequence), or entries missing at the end (the chain is shorter than its recorded head). Given a
 * signed checkpoint, it also catches a chain rewritten consistently (every hash recomputed): the entry the checkpoint
 * names no longer has the checkpoint's head hash.
 * The chain is read in pages of {@link #PAGE} rows (keyset on {@code seq}), so memory does not grow with its length
 * and no connection or transaction is held between pages.
 */
public class AuditVerifier {

    static final int PAGE = 1000;
    private static final String COLUMNS = "seq, id, tenant_id, global_index, actor_type, actor_id, api_key_id, action, "
            + "target_type, target_id, ip, user_agent, request_id, occurred_at, changes, prev_hash, hash";

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

    private record Row(Entry entry, String prevHash, String hash) {
    }

    private final JdbcTemplate jdbc;

    public AuditVerifier(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
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
        // the head is read first: entries appended while the pages are read extend the chain past it, legitimately
        AuditHead recorded = AuditHead.recorded(jdbc, tenantId);
        long checked = 0;
        String prev = AuditChain.GENESIS;
        Broken broken = null;
        pages:
        while (true) {
            List<Row> page = jdbc.query("SELECT " + COLUMNS + " FROM audit_logs WHERE tenant_id = ? AND seq > ? "
                    + "ORDER BY seq LIMIT ?", (rs, i) -> row(rs), tenantId, checked, PAGE);
            for (Row row : page) {
                Entry e = row.entry();
                long expected = checked + 1;
                if (e.seq() != expected) {
                    broken = new Broken(expected, null, "entry " + expected + " is missing");
                    break pages;
                }
                if (!prev.equals(row.prevHash())) {
                    broken = new Broken(e.seq(), e.id(), "does not link to the entry before it");
                    break pages;
                }
                String computed = AuditChain.hash(prev, e);
                if (!computed.equals(row.hash())) {
                    broken = new Broken(e.seq(), e.id(), "content does not match its hash");
                    break pages;
                }
                if (checkpoint != null && e.seq() == checkpoint.count() && !computed.equals(checkpoint.headHash())) {
                    broken = new Broken(e.seq(), e.id(), CHECKPOINT_MISMATCH, "entry " + e.seq() + " no longer has "
                            + "the checkpoint's head hash: the chain was rewritten at or before it");
                    break pages;
                }
                if (recorded != null && e.seq() == recorded.seq() && !computed.equals(recorded.hash())) {
                    broken = new Broken(e.seq(), e.id(), "does not match the recorded head of the chain");
                    break pages;
                }
                prev = computed;
                checked = e.seq();
            }
            if (page.size() < PAGE) {
                break;
            }
        }
        if (broken == null && checkpoint != null && checked < checkpoint.count()) {
            broken = new Broken(checked + 1, null, CHECKPOINT_MISMATCH, "the chain has " + checked
                    + " entries, the checkpoint " + checkpoint.count());
        }
        if (broken == null && recorded != null && checked < recorded.seq()) {
            broken = new Broken(checked + 1, null, "entries " + (checked + 1) + " to " + recorded.seq()
                    + " are missing at the end of the chain");
        }
        if (broken == null) {
            // rows and head are committed together: no row may lie beyond the head as it is now
            AuditHead now = AuditHead.recorded(jdbc, tenantId);
            if (now != null && checked > now.seq()) {
                broken = new Broken(now.seq() + 1, null, "entries " + (now.seq() + 1) + " to " + checked
                        + " lie beyond the recorded head of the chain");
            }
        }
        return new Result(tenantId, broken == null, checked, prev, broken);
    }

    private static Row row(ResultSet rs) throws SQLException {
        long gi = rs.getLong("global_index");
        Long globalIndex = rs.wasNull() ? null : gi;
        Entry e = new Entry(rs.getLong("seq"), rs.getString("id"), rs.getString("tenant_id"), globalIndex,
                rs.getString("actor_type"), rs.getString("actor_id"), rs.getString("api_key_id"),
                rs.getString("action"),
                rs.getString("target_type"), rs.getString("target_id"), rs.getString("ip"), rs.getString("user_agent"),
                rs.getString("request_id"), rs.getTimestamp("occurred_at").toInstant(), rs.getString("changes"));
        return new Row(e, rs.getString("prev_hash"), rs.getString("hash"));
    }
}
