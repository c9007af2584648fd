package com.catalytic.query.audit;

import com.catalytic.api.audit.AuditQueries.AuditHead;
import com.catalytic.api.audit.AuditQueries.AuditHeadQuery;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Scopes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A signed checkpoint of the caller's audit chain: head hash, entry count and time, signed with the service's
 * signing key (JWS type {@code catalytic-audit-checkpoint+jwt}, never accepted as an access token; verifiable by its
 * {@code kid} with {@code /.well-known/jwks.json}). An auditor who keeps checkpoints can later prove
 * that the chain was rewritten, even by someone able to recompute every hash.
 */
@RestController
class AuditCheckpointController {

    static final int MAX_PAGE = 200;

    private final QueryGateway queries;
    private final AuditCheckpoints checkpoints;

    public AuditCheckpointController(QueryGateway queries, AuditCheckpoints checkpoints) {
        this.queries = queries;
        this.checkpoints = checkpoints;
    }

    /** Signs the chain's head now; the checkpoint is also kept (GET /api/audit-logs/checkpoints). */
    @GetMapping("/api/audit-logs/checkpoint")
    public Map<String, Object> checkpoint(Caller caller) {
        caller.require(Scopes.AUDIT_READ);
        AuditHead head = queries.query(new AuditHeadQuery(caller.tenantId()), ResponseTypes.instanceOf(AuditHead.class))
                .join();
        return checkpoints.sign(head.tenantId(), head.seq(), head.hash()).json();
    }

    /**
     * The kept checkpoints of the caller's chain, newest first (one per tenant at most every
     * {@code catalytic.audit.checkpoint-interval} while the chain grows, and every one asked for); any of them
     * verifies the chain with {@code POST /api/audit-logs/verify} or, offline, {@code catalytic audit verify-export}.
     */
    @GetMapping("/api/audit-logs/checkpoints")
    public Map<String, Object> checkpoints(Caller caller,
                                           @RequestParam(name = "limit", defaultValue = "50") int limit,
                                           @RequestParam(name = "cursor", required = false) String cursor) {
        caller.require(Scopes.AUDIT_READ);
        if (limit < 1 || limit > MAX_PAGE) {
            throw DomainException.validation("limit", "invalid_limit", "limit must be between 1 and " + MAX_PAGE);
        }
        Long before;
        try {
            before = cursor == null ? null : Long.parseLong(cursor);
        } catch (NumberFormatException e) {
            throw DomainException.validation("cursor", "invalid_cursor", "cursor is not one this API gave out");
        }
        List<AuditCheckpoints.Stored> page = checkpoints.list(caller.tenantId(), before, limit);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("checkpoints", page.stream().map(AuditCheckpoints.Stored::json).toList());
        out.put("next_cursor", page.size() < limit ? null : String.valueOf(page.get(page.size() - 1).count()));
        return out;
    }
}
