package com.catalytic.query.account;

import com.catalytic.api.account.AccountQueries.FindMeQuery;
import com.catalytic.api.account.AccountQueries.MeView;
import com.catalytic.api.account.FindTenantQuery;
import com.catalytic.api.account.TenantView;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import org.axonframework.messaging.responsetypes.ResponseType;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The caller's own account and tenant: the hottest read of the API. {@link AccountReadCache} answers most calls from
 * memory; a miss asks the query side.
 */
@RestController
class MeController {

    private static final ResponseType<MeView> ME = ResponseTypes.instanceOf(MeView.class);
    private static final ResponseType<TenantView> TENANT = ResponseTypes.instanceOf(TenantView.class);

    private final QueryGateway queries;
    private final AccountReadCache cache;

    public MeController(QueryGateway queries, AccountReadCache cache) {
        this.queries = queries;
        this.cache = cache;
    }

    @GetMapping("/api/me")
    public MeView me(Caller caller) {
        MeView me = cache.get("me:" + caller.userId(), caller.tenantId(),
                () -> queries.query(new FindMeQuery(caller.tenantId(), caller.userId()), ME).join());
        if (me == null) {
            throw DomainException.notFound("user");
        }
        return me;
    }

    @GetMapping("/api/tenant")
    public TenantView tenant(Caller caller) {
        TenantView tenant = cache.get("tenant:" + caller.tenantId(), caller.tenantId(),
                () -> queries.query(new FindTenantQuery(caller.tenantId()), TENANT).join());
        if (tenant == null) {
            throw DomainException.notFound("tenant");
        }
        return tenant;
    }
}
