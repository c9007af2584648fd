package com.catalytic.projections.billing;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.billing.SubscriptionEvents.CheckoutStartedEvent;
import com.catalytic.api.billing.SubscriptionEvents.NonPaymentResolvedEvent;
import com.catalytic.api.billing.SubscriptionEvents.PaymentFailedEvent;
import com.catalytic.api.billing.SubscriptionEvents.PaymentSucceededEvent;
import com.catalytic.api.billing.SubscriptionEvents.StripeCustomerLinkedEvent;
import com.catalytic.api.billing.SubscriptionEvents.SubscriptionUpdatedEvent;
import com.catalytic.api.billing.SubscriptionEvents.SuspendedForNonPaymentEvent;
import com.catalytic.projections.Rows;
import java.time.Instant;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.Timestamp;
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
    void on(CheckoutStartedEvent e, @Timestamp Instant at) {
        ensureRow(e.tenantId(), e.subscriptionId(), at);
        jdbc.update("UPDATE subscriptions SET checkout_session_id = ?, updated_at = ?, "
                        + "plan = CASE WHEN status = ? THEN ? ELSE plan END, "
                        + "billing_interval = CASE WHEN status = ? THEN ? ELSE billing_interval END "
                        + "WHERE tenant_id = ?",
                e.checkoutSessionId(), Rows.time(at), PENDING, e.plan(), PENDING, e.interval(), e.tenantId());
    }

    @EventHandler
    void on(StripeCustomerLinkedEvent e, @Timestamp Instant at) {
        ensureRow(e.tenantId(), e.subscriptionId(), at);
        jdbc.update("UPDATE subscriptions SET stripe_customer_id = ?, updated_at = ? WHERE tenant_id = ?",
                e.customerId(), Rows.time(at), e.tenantId());
    }

    @EventHandler
    void on(SubscriptionUpdatedEvent e, @Timestamp Instant at) {
        ensureRow(e.tenantId(), e.subscriptionId(), at);
        jdbc.update("UPDATE subscriptions SET stripe_subscription_id = ?, plan = ?, billing_interval = ?, status = ?, "
                        + "current_period_start = ?, current_period_end = ?, trial_end = ?, cancel_at_period_end = ?, "
                        + "updated_at = ? WHERE tenant_id = ?",
                e.stripeSubscriptionId(), e.plan(), e.interval(), e.status(), Rows.time(e.currentPeriodStart()),
                Rows.time(e.currentPeriodEnd()), Rows.time(e.trialEnd()), e.cancelAtPeriodEnd(), Rows.time(at),
                e.tenantId());
    }

    @EventHandler
    void on(PaymentFailedEvent e, @Timestamp Instant at) {
        ensureRow(e.tenantId(), e.subscriptionId(), at);
        jdbc.update("UPDATE subscriptions SET failed_payments = ?, updated_at = ? WHERE tenant_id = ?",
                e.failedPayments(), Rows.time(at), e.tenantId());
    }

    @EventHandler
    void on(PaymentSucceededEvent e, @Timestamp Instant at) {
        ensureRow(e.tenantId(), e.subscriptionId(), at);
        jdbc.update("UPDATE subscriptions SET failed_payments = ?, updated_at = ? WHERE tenant_id = ?",
                e.failedPayments(), Rows.time(at), e.tenantId());
    }

    @EventHandler
    void on(SuspendedForNonPaymentEvent e, @Timestamp Instant at) {
        ensureRow(e.tenantId(), e.subscriptionId(), at);
        jdbc.update("UPDATE subscriptions SET suspended_for_non_payment = TRUE, updated_at = ? WHERE tenant_id = ?",
                Rows.time(at), e.tenantId());
    }

    @EventHandler
    void on(NonPaymentResolvedEvent e, @Timestamp Instant at) {
        ensureRow(e.tenantId(), e.subscriptionId(), at);
        jdbc.update("UPDATE subscriptions SET suspended_for_non_payment = FALSE, updated_at = ? WHERE tenant_id = ?",
                Rows.time(at), e.tenantId());
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
                    tenantId, subscriptionId, PENDING, Rows.time(at), Rows.time(at));
        }
    }
}
