package com.catalytic.query.audit;

import com.catalytic.api.audit.AuditQueries.AuditEntry;
import com.catalytic.api.audit.AuditQueries.AuditFilter;
import com.catalytic.api.audit.AuditQueries.AuditHead;
import com.catalytic.projections.audit.AuditChain;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The SQL of the audit trail's read side: pages of {@code audit_logs} by filter (keyset on seq) and the chain's head. */
@Component
class AuditLogRepository {

    private static final String COLUMNS = "id, seq, global_index, actor_type, actor_id, api_key_id, action, "
            + "target_type, target_id, ip, user_agent, request_id, occurred_at, changes, prev_hash, hash";

    private final JdbcTemplate jdbc;

    public AuditLogRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    private record Where(String sql, List<Object> args) {
    }

    /** At most {@code limit} entries newest first, below {@code beforeSeq} when it is not null. */
    public List<AuditEntry> newestFirst(AuditFilter filter, Long beforeSeq, int limit) {
        Where w = where(filter);
        List<Object> args = new ArrayList<>(w.args());
        String sql = "SELECT " + COLUMNS + " FROM audit_logs WHERE " + w.sql();
        if (beforeSeq != null) {
            sql += " AND seq < ?";
            args.add(beforeSeq);
        }
        sql += " ORDER BY seq DESC LIMIT ?";
        args.add(limit);
        return jdbc.query(sql, (rs, i) -> entry(rs), args.toArray());
    }

    /** At most {@code limit} entries oldest first, after {@code afterSeq}. */
    public List<AuditEntry> oldestFirst(AuditFilter filter, long afterSeq, int limit) {
        Where w = where(filter);
        List<Object> args = new ArrayList<>(w.args());
        args.add(afterSeq);
        args.add(limit);
        return jdbc.query("SELECT " + COLUMNS + " FROM audit_logs WHERE " + w.sql() + " AND seq > ? ORDER BY seq "
                + "LIMIT ?", (rs, i) -> entry(rs), args.toArray());
    }

    /** The head of the tenant's chain: seq 0 and the genesis hash while it is empty. */
    public AuditHead head(String tenantId) {
        List<AuditHead> heads = jdbc.query("SELECT seq, hash FROM audit_heads WHERE tenant_id = ?",
                (rs, i) -> new AuditHead(tenantId, rs.getLong("seq"), rs.getString("hash")), tenantId);
        return heads.isEmpty() ? new AuditHead(tenantId, 0, AuditChain.GENESIS) : heads.get(0);
    }

    private static Where where(AuditFilter f) {
        StringBuilder sql = new StringBuilder("tenant_id = ?");
        List<Object> args = new ArrayList<>(List.of(f.tenantId()));
        if (f.from() != null) {
            sql.append(" AND occurred_at >= ?");
            args.add(Timestamp.from(f.from()));
        }
        if (f.to() != null) {
            sql.append(" AND occurred_at < ?");
            args.add(Timestamp.from(f.to()));
        }
        equal(sql, args, "actor_id", f.actorId());
        equal(sql, args, "action", f.action());
        equal(sql, args, "target_type", f.targetType());
        equal(sql, args, "target_id", f.targetId());
        return new Where(sql.toString(), args);
    }

    private static void equal(StringBuilder sql, List<Object> args, String column, String value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = ?");
            args.add(value);
        }
    }

    private static AuditEntry entry(ResultSet rs) throws SQLException {
        long gi = rs.getLong("global_index");
        Long globalIndex = rs.wasNull() ? null : gi;
        return new AuditEntry(rs.getString("id"), rs.getLong("seq"), globalIndex, rs.getString("actor_type"),
                rs.getString("actor_id"), rs.getString("api_key_id"), rs.getString("action"),
                rs.getString("target_type"), rs.getString("target_id"), rs.getString("ip"), rs.getString("user_agent"),
                rs.getString("request_id"), rs.getTimestamp("occurred_at").toInstant(), rs.getString("changes"),
                rs.getString("prev_hash"), rs.getString("hash"));
    }
}
