package com.catalytic.query.audit;

import com.catalytic.api.audit.AuditQueries.AuditChainVerification;
import com.catalytic.api.audit.AuditQueries.AuditEntries;
import com.catalytic.api.audit.AuditQueries.AuditHead;
import com.catalytic.api.audit.AuditQueries.AuditHeadQuery;
import com.catalytic.api.audit.AuditQueries.BrokenLink;
import com.catalytic.api.audit.AuditQueries.ExportAuditEntriesQuery;
import com.catalytic.api.audit.AuditQueries.ListAuditEntriesQuery;
import com.catalytic.api.audit.AuditQueries.VerifyAuditChainQuery;
import com.catalytic.projections.audit.AuditVerifier;
import com.catalytic.projections.audit.AuditVerifier.Checkpoint;
import com.catalytic.projections.audit.AuditVerifier.Result;
import javax.sql.DataSource;
import org.axonframework.messaging.annotation.MessageHandlerTimeout;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

/** A tenant's audit trail: its entries, its head, and the verification of its hash chain. */
@Component
class AuditQueryHandlers {

    private final AuditLogRepository logs;
    private final AuditVerifier verifier;

    AuditQueryHandlers(AuditLogRepository logs, DataSource dataSource) {
        this.logs = logs;
        this.verifier = new AuditVerifier(dataSource);
    }

    @QueryHandler
    AuditEntries handle(ListAuditEntriesQuery q) {
        return new AuditEntries(logs.newestFirst(q.filter(), q.beforeSeq(), q.limit()));
    }

    @QueryHandler
    AuditEntries handle(ExportAuditEntriesQuery q) {
        return new AuditEntries(logs.oldestFirst(q.filter(), q.afterSeq(), q.limit()));
    }

    @QueryHandler
    AuditHead handle(AuditHeadQuery q) {
        return logs.head(q.tenantId());
    }

    /**
     * With a checkpoint (already verified by the caller), also checks that the chain still passes through it. Reads the
     * whole chain in pages: 30 minutes at most, instead of the 30 s of other queries (see axon.timeout in
     * application.yml).
     */
    @QueryHandler
    @MessageHandlerTimeout(timeoutMs = 1_800_000, warningThresholdMs = 60_000, warningIntervalMs = 60_000)
    AuditChainVerification handle(VerifyAuditChainQuery q) {
        Checkpoint checkpoint = q.checkpointCount() == null ? null
                : new Checkpoint(q.checkpointCount(), q.checkpointHeadHash());
        Result r = verifier.verify(q.tenantId(), checkpoint);
        BrokenLink broken = r.firstBroken() == null ? null : new BrokenLink(r.firstBroken().seq(),
                r.firstBroken().id(), r.firstBroken().code(), r.firstBroken().reason());
        return new AuditChainVerification(r.tenantId(), r.valid(), r.checked(), r.headHash(), broken);
    }
}
