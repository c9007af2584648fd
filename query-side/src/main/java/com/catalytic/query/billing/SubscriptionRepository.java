package com.catalytic.query.billing;

import com.catalytic.api.billing.BillingQueries.SubscriptionView;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The {@code subscriptions} read table (written by {@code SubscriptionProjection}). */
@Component
class SubscriptionRepository {

    private final JdbcTemplate jdbc;

    public SubscriptionRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The tenant's subscription, or null when it never started a checkout. */
    public SubscriptionView find(String tenantId) {
        List<SubscriptionView> rows = jdbc.query("SELECT * FROM subscriptions WHERE tenant_id = ?",
                (rs, i) -> view(rs), tenantId);
        return rows.isEmpty() ? null : rows.get(0);
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
