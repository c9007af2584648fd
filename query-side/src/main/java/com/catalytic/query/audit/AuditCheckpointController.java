package com.catalytic.query.audit;

import com.catalytic.api.audit.AuditQueries.AuditHead;
import com.catalytic.api.audit.AuditQueries.AuditHeadQuery;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Scopes;
import com.catalytic.infrastructure.credentials.TokenService;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A signed checkpoint of the caller's audit chain: head hash, entry count and time, signed with the service's
 * signing key (JWS type {@code catalytic-audit-checkpoint+jwt}, never accepted as an access token; verifiable by its
 * {@code kid} with {@code /.well-known/jwks.json}). An auditor who keeps checkpoints can later prove
 * that the chain was rewritten, even by someone able to recompute every hash.
 */
@RestController
class AuditCheckpointController {

    private final QueryGateway queries;
    private final TokenService signer;
    private final Clock clock;

    public AuditCheckpointController(QueryGateway queries, TokenService signer, Clock clock) {
        this.queries = queries;
        this.signer = signer;
        this.clock = clock;
    }

    @GetMapping("/api/audit-logs/checkpoint")
    public Map<String, Object> checkpoint(Caller caller) {
        caller.require(Scopes.AUDIT_READ);
        AuditHead head = queries.query(new AuditHeadQuery(caller.tenantId()), ResponseTypes.instanceOf(AuditHead.class))
                .join();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("tenant_id", head.tenantId());
        claims.put("count", head.seq());
        claims.put("head_hash", head.hash());
        claims.put("checkpoint_at", clock.instant().toString());
        Map<String, Object> out = new LinkedHashMap<>(claims);
        out.put("signature", signer.signCheckpoint(claims));
        return out;
    }
}
