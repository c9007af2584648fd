package com.catalytic.query.audit;

import com.catalytic.api.audit.AuditQueries.AuditChainVerification;
import com.catalytic.api.audit.AuditQueries.BrokenLink;
import com.catalytic.api.audit.AuditQueries.VerifyAuditChainQuery;
import com.catalytic.projections.audit.AuditVerifier;
import com.catalytic.projections.audit.AuditVerifier.Checkpoint;
import com.catalytic.projections.audit.AuditVerifier.Result;
import javax.sql.DataSource;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

/** Verification of a tenant's audit chain for the write side, which checks signed checkpoints against it. */
@Component
class AuditChainQueryHandler {

    private final AuditVerifier verifier;

    AuditChainQueryHandler(DataSource dataSource) {
        this.verifier = new AuditVerifier(dataSource);
    }

    @QueryHandler
    AuditChainVerification handle(VerifyAuditChainQuery q) {
        Checkpoint checkpoint = q.checkpointCount() == null ? null
                : new Checkpoint(q.checkpointCount(), q.checkpointHeadHash());
        Result r = verifier.verify(q.tenantId(), checkpoint);
        BrokenLink broken = r.firstBroken() == null ? null : new BrokenLink(r.firstBroken().seq(),
                r.firstBroken().id(), r.firstBroken().code(), r.firstBroken().reason());
        return new AuditChainVerification(r.tenantId(), r.valid(), r.checked(), r.headHash(), broken);
    }
}
