package com.catalytic.query.apikey;

import com.catalytic.api.account.AccountQueries.ApiKeyView;
import com.catalytic.api.account.AccountQueries.ListApiKeysQuery;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Scopes;
import java.util.List;
import java.util.Map;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The tenant's API keys, never the keys themselves: admins see all, others their own. */
@RestController
class ApiKeysQueryController {

    private final QueryGateway queries;

    public ApiKeysQueryController(QueryGateway queries) {
        this.queries = queries;
    }

    @GetMapping("/api/api-keys")
    public Map<String, List<ApiKeyView>> list(Caller caller) {
        if (caller.isApiKey()) {
            caller.require(Scopes.KEYS_MANAGE);
        }
        String onlyOwn = caller.allows(Scopes.KEYS_MANAGE) ? null : caller.userId();
        return Map.of("api_keys", queries.query(new ListApiKeysQuery(caller.tenantId(), onlyOwn),
                ResponseTypes.multipleInstancesOf(ApiKeyView.class)).join());
    }
}
