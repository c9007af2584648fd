package com.catalytic.query.audit;

import com.catalytic.api.audit.AuditQueries.AuditHead;
import com.catalytic.api.audit.AuditQueries.AuditHeadQuery;
import com.catalytic.projections.audit.AuditChain;
import java.util.List;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

@Component
public class AuditHeadQueryHandler {

    private final JdbcTemplate jdbc;

    public AuditHeadQueryHandler(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @QueryHandler
    public AuditHead handle(AuditHeadQuery q) {
        List<AuditHead> heads = jdbc.query("SELECT seq, hash FROM audit_heads WHERE tenant_id = ?",
                (rs, i) -> new AuditHead(q.tenantId(), rs.getLong(1), rs.getString(2)), q.tenantId());
        return heads.isEmpty() ? new AuditHead(q.tenantId(), 0, AuditChain.GENESIS) : heads.get(0);
    }
}
