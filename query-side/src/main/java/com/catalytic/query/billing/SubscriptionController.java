package com.catalytic.query.billing;

import com.catalytic.api.account.FindTenantQuery;
import com.catalytic.api.account.TenantView;
import com.catalytic.api.billing.BillingQueries.FindSubscriptionQuery;
import com.catalytic.api.billing.BillingQueries.SubscriptionView;
import com.catalytic.api.identity.Caller;
import java.util.LinkedHashMap;
import java.util.Map;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/subscription}: the tenant's subscription ({@link FindSubscriptionQuery}) and plan. Any member of the
 * tenant may read it; a tenant that never subscribed gets {@code status: "none"} and its plan.
 */
@RestController
class SubscriptionController {

    private final QueryGateway queries;

    public SubscriptionController(QueryGateway queries) {
        this.queries = queries;
    }

    @GetMapping("/api/subscription")
    public Map<String, Object> subscription(Caller caller) {
        SubscriptionView s = queries.query(new FindSubscriptionQuery(caller.tenantId()),
                ResponseTypes.instanceOf(SubscriptionView.class)).join();
        TenantView tenant = queries.query(new FindTenantQuery(caller.tenantId()),
                ResponseTypes.instanceOf(TenantView.class)).join();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tenant_plan", tenant == null ? null : tenant.plan());
        if (s == null) {
            out.put("status", "none");
            out.put("plan", tenant == null ? null : tenant.plan());
            return out;
        }
        out.put("id", s.id());
        out.put("status", s.status());
        out.put("plan", s.plan());
        out.put("interval", s.interval());
        out.put("current_period_start", s.currentPeriodStart());
        out.put("current_period_end", s.currentPeriodEnd());
        out.put("trial_end", s.trialEnd());
        out.put("cancel_at_period_end", s.cancelAtPeriodEnd());
        out.put("failed_payments", s.failedPayments());
        out.put("suspended_for_non_payment", s.suspendedForNonPayment());
        out.put("stripe_customer_id", s.stripeCustomerId());
        out.put("stripe_subscription_id", s.stripeSubscriptionId());
        out.put("updated_at", s.updatedAt());
        return out;
    }
}
