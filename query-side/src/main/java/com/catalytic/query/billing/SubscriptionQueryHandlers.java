package com.catalytic.query.billing;

import com.catalytic.api.billing.BillingQueries.FindSubscriptionQuery;
import com.catalytic.api.billing.BillingQueries.SubscriptionView;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

/** A tenant's subscription, for {@code GET /api/subscription} and the billing service. */
@Component
class SubscriptionQueryHandlers {

    private final SubscriptionRepository subscriptions;

    public SubscriptionQueryHandlers(SubscriptionRepository subscriptions) {
        this.subscriptions = subscriptions;
    }

    @QueryHandler
    public SubscriptionView handle(FindSubscriptionQuery q) {
        return subscriptions.find(q.tenantId());
    }
}
