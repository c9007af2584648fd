package com.catalytic.query.audit;

import com.catalytic.api.audit.AuditQueries.AuditChainVerification;
import com.catalytic.api.audit.AuditQueries.VerifyAuditChainQuery;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Scopes;
import com.catalytic.infrastructure.credentials.JwtKeys;
import com.catalytic.query.audit.AuditCheckpointVerifier.Checkpoint;
import com.catalytic.query.audit.AuditCheckpointVerifier.Outcome;
import com.nimbusds.jose.jwk.JWKSet;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Verifies the caller's audit chain against a checkpoint signed earlier ({@code GET /api/audit-logs/checkpoint}):
 * a chain rewritten with every hash recomputed re-hashes cleanly, but no longer passes through the signed head.
 */
@RestController
class AuditVerificationController {

    record VerifyRequest(@NotBlank String checkpoint) {
    }

    private final QueryGateway queries;
    private final AuditCheckpointVerifier checkpoints;

    AuditVerificationController(QueryGateway queries, JwtKeys keys) {
        this.queries = queries;
        this.checkpoints = new AuditCheckpointVerifier(new JWKSet(List.copyOf(keys.publicJwks())));
    }

    @PostMapping(path = "/api/audit-logs/verify", consumes = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> verify(Caller caller, @Valid @RequestBody VerifyRequest body) {
        caller.require(Scopes.AUDIT_READ);
        Outcome outcome = checkpoints.read(body.checkpoint());
        Checkpoint checkpoint = outcome.checkpoint();
        String problem = outcome.problem();
        if (checkpoint != null && !checkpoint.tenantId().equals(caller.tenantId())) {
            // another tenant's checkpoint says nothing about this chain, and nothing of it is echoed
            problem = "the checkpoint is not of this tenant's audit chain";
            checkpoint = null;
        }
        AuditChainVerification chain = queries.query(new VerifyAuditChainQuery(caller.tenantId(),
                        checkpoint == null ? null : checkpoint.count(), checkpoint == null ? null : checkpoint.headHash()),
                ResponseTypes.instanceOf(AuditChainVerification.class)).join();
        Map<String, Object> out = new LinkedHashMap<>();
        boolean valid = problem == null && chain.valid();
        out.put("valid", valid);
        out.put("reason", valid ? null : problem != null ? "checkpoint_mismatch" : chain.firstBroken().code());
        out.put("detail", valid ? null : problem != null ? problem : chain.firstBroken().reason());
        out.put("checked", chain.checked());
        out.put("head_hash", chain.headHash());
        out.put("first_broken", chain.firstBroken());
        out.put("checkpoint_count", checkpoint == null ? null : checkpoint.count());
        out.put("checkpoint_at", checkpoint == null ? null : checkpoint.checkpointAt());
        return out;
    }
}
