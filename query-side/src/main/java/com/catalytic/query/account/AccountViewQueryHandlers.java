package com.catalytic.query.account;

import com.catalytic.api.account.AccountQueries.FindMeQuery;
import com.catalytic.api.account.AccountQueries.MeView;
import com.catalytic.api.account.FindTenantQuery;
import com.catalytic.api.account.TenantView;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

/** The account and tenant views ({@code GET /api/me}, {@code GET /api/tenant} and others), scoped by tenant. */
@Component
class AccountViewQueryHandlers {

    private final AccountViewRepository views;

    public AccountViewQueryHandlers(AccountViewRepository views) {
        this.views = views;
    }

    @QueryHandler
    public MeView handle(FindMeQuery query) {
        return views.me(query.tenantId(), query.userId());
    }

    @QueryHandler
    public TenantView handle(FindTenantQuery query) {
        return views.tenant(query.tenantId());
    }
}
