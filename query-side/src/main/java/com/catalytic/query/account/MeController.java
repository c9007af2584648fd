package com.catalytic.query.account;

import com.catalytic.api.auth.Caller;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.query.FindTenantQuery;
import com.catalytic.api.query.FindUserQuery;
import com.catalytic.api.query.TenantView;
import com.catalytic.api.query.UserView;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The caller's own account and tenant. */
@RestController
public class MeController {

    public record MeResponse(String id, String email, String role, boolean active, java.time.Instant createdAt,
                             TenantView tenant) {
    }

    private final QueryGateway queries;

    public MeController(QueryGateway queries) {
        this.queries = queries;
    }

    @GetMapping("/api/me")
    public MeResponse me(Caller caller) {
        UserView user = queries.query(new FindUserQuery(caller.tenantId(), caller.userId()),
                ResponseTypes.instanceOf(UserView.class)).join();
        if (user == null) {
            throw DomainException.notFound("user");
        }
        return new MeResponse(user.id(), user.email(), user.role(), user.active(), user.createdAt(), tenant(caller));
    }

    @GetMapping("/api/tenant")
    public TenantView tenant(Caller caller) {
        TenantView tenant = queries.query(new FindTenantQuery(caller.tenantId()),
                ResponseTypes.instanceOf(TenantView.class)).join();
        if (tenant == null) {
            throw DomainException.notFound("tenant");
        }
        return tenant;
    }
}
