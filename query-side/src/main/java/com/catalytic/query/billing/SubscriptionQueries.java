package com.catalytic.query.billing;

import com.catalytic.api.auth.Caller;
import com.catalytic.api.billing.BillingQueries.FindSubscriptionQuery;
import com.catalytic.api.billing.BillingQueries.SubscriptionView;
import com.catalytic.api.query.FindTenantQuery;
import com.catalytic.api.query.TenantView;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/subscription} and the {@link FindSubscriptionQuery} behind it, from {@code subscriptions}. Any
 * member of the tenant may read it; a tenant that never subscribed gets {@code status: "none"} and its plan.
 */
@RestController
public class SubscriptionQueries {

    private final JdbcTemplate jdbc;
    private final QueryGateway queries;

    public SubscriptionQueries(JdbcTemplate jdbc, QueryGateway queries) {
        this.jdbc = jdbc;
        this.queries = queries;
    }

    @QueryHandler
    public SubscriptionView handle(FindSubscriptionQuery q) {
        List<SubscriptionView> rows = jdbc.query("SELECT * FROM subscriptions WHERE tenant_id = ?",
                (rs, i) -> view(rs), q.tenantId());
        return rows.isEmpty() ? null : rows.get(0);
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

    private static SubscriptionView view(ResultSet rs) throws SQLException {
        return new SubscriptionView(rs.getString("id"), rs.getString("tenant_id"), rs.getString("plan"),
                rs.getString("billing_interval"), rs.getString("status"), rs.getString("stripe_customer_id"),
                rs.getString("stripe_subscription_id"), instant(rs, "current_period_start"),
                instant(rs, "current_period_end"), instant(rs, "trial_end"), rs.getBoolean("cancel_at_period_end"),
                rs.getInt("failed_payments"), rs.getBoolean("suspended_for_non_payment"), instant(rs, "updated_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
