package com.catalytic.query.apikey;

import com.catalytic.api.account.AccountQueries.ApiKeyRecord;
import com.catalytic.api.account.AccountQueries.ApiKeyView;
import com.catalytic.api.account.AccountQueries.FindApiKeyByHashQuery;
import com.catalytic.api.account.AccountQueries.FindApiKeyQuery;
import com.catalytic.api.account.AccountQueries.ListApiKeysQuery;
import com.catalytic.projections.apikey.ApiKeyRepository;
import com.catalytic.projections.apikey.ApiKeyRow;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

@Component
@Transactional(readOnly = true)
class ApiKeyQueryHandlers {

    private final ApiKeyRepository keys;
    private final Clock clock;

    public ApiKeyQueryHandlers(ApiKeyRepository keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    @QueryHandler
    public ApiKeyRecord handle(FindApiKeyByHashQuery query) {
        return keys.findByKeyHash(query.keyHash())
                .map(k -> new ApiKeyRecord(k.getId(), k.getTenantId(), k.getCreatedBy(), k.getScopes(), k.getExpiresAt(),
                        k.getRevokedAt(), k.getValidUntil(), k.getRateLimitPerMinute()))
                .orElse(null);
    }

    @QueryHandler
    public List<ApiKeyView> handle(ListApiKeysQuery query) {
        List<ApiKeyRow> rows = query.createdBy() == null
                ? keys.findByTenantIdOrderByCreatedAtDesc(query.tenantId())
                : keys.findByTenantIdAndCreatedByOrderByCreatedAtDesc(query.tenantId(), query.createdBy());
        Instant now = clock.instant();
        return rows.stream().map(k -> view(k, now)).toList();
    }

    @QueryHandler
    public ApiKeyView handle(FindApiKeyQuery query) {
        return keys.findByIdAndTenantId(query.keyId(), query.tenantId()).map(k -> view(k, clock.instant())).orElse(null);
    }

    static ApiKeyView view(ApiKeyRow k, Instant now) {
        String status;
        if (k.getRevokedAt() != null) {
            status = "revoked";
        } else if (k.getExpiresAt() != null && !now.isBefore(k.getExpiresAt())) {
            status = "expired";
        } else if (k.getValidUntil() != null) {
            status = now.isBefore(k.getValidUntil()) ? "rotating" : "rotated";
        } else {
            status = "active";
        }
        return new ApiKeyView(k.getId(), k.getName(), k.getPrefix(), k.getScopes(), k.getCreatedBy(), k.getCreatedAt(),
                k.getExpiresAt(), k.getLastUsedAt(), k.getRevokedAt(), k.getValidUntil(), k.getReplacedBy(),
                k.getRateLimitPerMinute(), status);
    }
}
