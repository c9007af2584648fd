package com.catalytic.projections.audit;

import java.util.List;
import org.springframework.jdbc.core.JdbcOperations;

/** The recorded head of a tenant's audit chain (a row of {@code audit_heads}): its last sequence number and hash. */
record AuditHead(long seq, String hash) {

    /** The head recorded for the tenant, or null while its chain is empty. */
    static AuditHead recorded(JdbcOperations jdbc, String tenantId) {
        List<AuditHead> rows = jdbc.query("SELECT seq, hash FROM audit_heads WHERE tenant_id = ?",
                (rs, i) -> new AuditHead(rs.getLong("seq"), rs.getString("hash")), tenantId);
        return rows.isEmpty() ? null : rows.get(0);
    }
}
