package com.catalytic.projections.billing;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.billing.SubscriptionEvents.CheckoutStartedEvent;
import com.catalytic.api.billing.SubscriptionEvents.NonPaymentResolvedEvent;
import com.catalytic.api.billing.SubscriptionEvents.PaymentFailedEvent;
import com.catalytic.api.billing.SubscriptionEvents.PaymentSucceededEvent;
import com.catalytic.api.billing.SubscriptionEvents.StripeCustomerLinkedEvent;
import com.catalytic.api.billing.SubscriptionEvents.SubscriptionUpdatedEvent;
import com.catalytic.api.billing.SubscriptionEvents.SuspendedForNonPaymentEvent;
import java.sql.Timestamp;
import java.time.Instant;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Builds {@code subscriptions}: one row per tenant that ever started a checkout. Part of the "accounts" group. A
 * row starts as {@code checkout_pending} and then follows what Stripe reports.
 */
@Component
@ProcessingGroup(ProcessingGroupNames.ACCOUNTS)
class SubscriptionProjection {

    static final String PENDING = "checkout_pending";

    private final JdbcTemplate jdbc;

    public SubscriptionProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(CheckoutStartedEvent e, @org.axonframework.eventhandling.Timestamp Instant at) {
        ensureRow(e.tenantId(), e.subscriptionId(), at);
        jdbc.update("UPDATE subscriptions SET checkout_session_id = ?, updated_at = ?, "
                        + "plan = CASE WHEN status = ? THEN ? ELSE plan END, "
                        + "billing_interval = CASE WHEN status = ? THEN ? ELSE billing_interval END WHERE tenant_id = ?",
                e.checkoutSessionId(), ts(at), PENDING, e.plan(), PENDING, e.interval(), e.tenantId());
    }

    @EventHandler
    void on(StripeCustomerLinkedEvent e, @org.axonframework.eventhandling.Timestamp Instant at) {
        ensureRow(e.tenantId(), e.subscriptionId(), at);
        jdbc.update("UPDATE subscriptions SET stripe_customer_id = ?, updated_at = ? WHERE tenant_id = ?",
                e.customerId(), ts(at), e.tenantId());
    }

    @EventHandler
    void on(SubscriptionUpdatedEvent e, @org.axonframework.eventhandling.Timestamp Instant at) {
        ensureRow(e.tenantId(), e.subscriptionId(), at);
        jdbc.update("UPDATE subscriptions SET stripe_subscription_id = ?, plan = ?, billing_interval = ?, status = ?, "
                        + "current_period_start = ?, current_period_end = ?, trial_end = ?, cancel_at_period_end = ?, "
                        + "updated_at = ? WHERE tenant_id = ?",
                e.stripeSubscriptionId(), e.plan(), e.interval(), e.status(), ts(e.currentPeriodStart()),
                ts(e.currentPeriodEnd()), ts(e.trialEnd()), e.cancelAtPeriodEnd(), ts(at), e.tenantId());
    }

    @EventHandler
    void on(PaymentFailedEvent e, @org.axonframework.eventhandling.Timestamp Instant at) {
        ensureRow(e.tenantId(), e.subscriptionId(), at);
        jdbc.update("UPDATE subscriptions SET failed_payments = ?, updated_at = ? WHERE tenant_id = ?",
                e.failedPayments(), ts(at), e.tenantId());
    }

    @EventHandler
    void on(PaymentSucceededEvent e, @org.axonframework.eventhandling.Timestamp Instant at) {
        ensureRow(e.tenantId(), e.subscriptionId(), at);
        jdbc.update("UPDATE subscriptions SET failed_payments = ?, updated_at = ? WHERE tenant_id = ?",
                e.failedPayments(), ts(at), e.tenantId());
    }

    @EventHandler
    void on(SuspendedForNonPaymentEvent e, @org.axonframework.eventhandling.Timestamp Instant at) {
        ensureRow(e.tenantId(), e.subscriptionId(), at);
        jdbc.update("UPDATE subscriptions SET suspended_for_non_payment = TRUE, updated_at = ? WHERE tenant_id = ?",
                ts(at), e.tenantId());
    }

    @EventHandler
    void on(NonPaymentResolvedEvent e, @org.axonframework.eventhandling.Timestamp Instant at) {
        ensureRow(e.tenantId(), e.subscriptionId(), at);
        jdbc.update("UPDATE subscriptions SET suspended_for_non_payment = FALSE, updated_at = ? WHERE tenant_id = ?",
                ts(at), e.tenantId());
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM subscriptions");
    }

    /** Any of the subscription's events may be its first one seen (Stripe does not deliver in order). */
    private void ensureRow(String tenantId, String subscriptionId, Instant at) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM subscriptions WHERE tenant_id = ?", Integer.class,
                tenantId);
        if (n == null || n == 0) {
            jdbc.update("INSERT INTO subscriptions (tenant_id, id, status, cancel_at_period_end, failed_payments, "
                    + "suspended_for_non_payment, created_at, updated_at) VALUES (?, ?, ?, FALSE, 0, FALSE, ?, ?)",
                    tenantId, subscriptionId, PENDING, ts(at), ts(at));
        }
    }

    private static Timestamp ts(Instant at) {
        return at == null ? null : Timestamp.from(at);
    }
}
