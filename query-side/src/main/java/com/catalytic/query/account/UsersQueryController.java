package com.catalytic.query.account;

import com.catalytic.api.account.AccountQueries.ListUsersQuery;
import com.catalytic.api.account.FindUserQuery;
import com.catalytic.api.account.UserView;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Scopes;
import java.util.List;
import java.util.Map;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** The tenant's team (read side). */
@RestController
class UsersQueryController {

    private final QueryGateway queries;

    public UsersQueryController(QueryGateway queries) {
        this.queries = queries;
    }

    @GetMapping("/api/users")
    public Map<String, List<UserView>> list(Caller caller) {
        caller.require(Scopes.USERS_READ);
        return Map.of("users", queries.query(new ListUsersQuery(caller.tenantId()),
                ResponseTypes.multipleInstancesOf(UserView.class)).join());
    }

    @GetMapping("/api/users/{id}")
    public UserView get(Caller caller, @PathVariable("id") String id) {
        caller.require(Scopes.USERS_READ);
        UserView user = queries.query(new FindUserQuery(caller.tenantId(), id), ResponseTypes.instanceOf(UserView.class))
                .join();
        if (user == null) {
            throw DomainException.notFound("user");
        }
        return user;
    }
}
