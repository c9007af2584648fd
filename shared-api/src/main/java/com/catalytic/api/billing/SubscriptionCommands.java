package com.catalytic.api.billing;

import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.TenantScoped;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Commands of a tenant's subscription. Apart from the checkout (started by an owner or admin), they come from
 * Stripe's webhooks: each carries the Stripe event it was made from ({@link StripeEventRef}), so a redelivered event
 * changes nothing and an event older than what the subscription already knows does not roll it back. Every command
 * answers the tenant's {@link BillingStatus}, which the caller then applies to the tenant.
 */
public final class SubscriptionCommands {

    private SubscriptionCommands() {
    }

    /** The Stripe event a command was made from: its id (for deduplication) and creation time (for ordering). */
    public record StripeEventRef(String id, String type, Instant created) {
    }

    /** A Checkout Session was created for the tenant (the customer has not paid yet). */
    public record RecordCheckoutCommand(@TargetAggregateIdentifier String subscriptionId, String tenantId,
                                        String checkoutSessionId, String plan, String interval, Actor actor)
            implements TenantScoped {
    }

    /** {@code checkout.session.completed}: the tenant's Stripe customer (and the subscription Checkout created). */
    public record CompleteCheckoutCommand(@TargetAggregateIdentifier String subscriptionId, String tenantId,
                                          StripeEventRef stripeEvent, String checkoutSessionId, String customerId,
                                          String stripeSubscriptionId) implements TenantScoped {
    }

    /**
     * {@code customer.subscription.created/updated/deleted}: the Stripe subscription object as of the event.
     * {@code plan} and {@code interval} are read from its price's lookup key, or its metadata.
     */
    public record SyncSubscriptionCommand(@TargetAggregateIdentifier String subscriptionId, String tenantId,
                                          StripeEventRef stripeEvent, String customerId, String stripeSubscriptionId,
                                          String plan, String interval, String status, Instant currentPeriodStart,
                                          Instant currentPeriodEnd, Instant trialEnd, boolean cancelAtPeriodEnd)
            implements TenantScoped {
    }

    /** {@code customer.subscription.trial_will_end}. */
    public record RecordTrialEndingCommand(@TargetAggregateIdentifier String subscriptionId, String tenantId,
                                           StripeEventRef stripeEvent, String customerId, String stripeSubscriptionId,
                                           Instant trialEnd) implements TenantScoped {
    }

    /** An invoice event: {@code invoice.paid}, {@code invoice.payment_failed}, {@code invoice.payment_action_required}. */
    public record InvoiceFacts(String invoiceId, String customerId, String stripeSubscriptionId, long amount,
                               String currency, int attemptCount, Instant nextPaymentAttempt,
                               String hostedInvoiceUrl) {
    }

    public record RecordPaymentSucceededCommand(@TargetAggregateIdentifier String subscriptionId, String tenantId,
                                                StripeEventRef stripeEvent, InvoiceFacts invoice)
            implements TenantScoped {
    }

    public record RecordPaymentFailedCommand(@TargetAggregateIdentifier String subscriptionId, String tenantId,
                                             StripeEventRef stripeEvent, InvoiceFacts invoice)
            implements TenantScoped {
    }

    public record RecordPaymentActionRequiredCommand(@TargetAggregateIdentifier String subscriptionId,
                                                     String tenantId, StripeEventRef stripeEvent, InvoiceFacts invoice)
            implements TenantScoped {
    }

    /**
     * What the tenant is entitled to after a command: the plan its subscription pays for ({@code free} without a
     * live one) and whether unpaid invoices keep it suspended. {@code rejectedBecause}: set when the Stripe event was
     * recorded as rejected (e.g. {@code customer_mismatch}) instead of applied; the tenant is then left as it is.
     */
    public record BillingStatus(String plan, boolean suspendedForNonPayment, int failedPayments,
                                String rejectedBecause) {

        public BillingStatus(String plan, boolean suspendedForNonPayment, int failedPayments) {
            this(plan, suspendedForNonPayment, failedPayments, null);
        }

        public BillingStatus rejected(String reason) {
            return new BillingStatus(plan, suspendedForNonPayment, failedPayments, reason);
        }
    }

    /** Answers the status the tenant must be in now, changing nothing (deliveries racing each other compare it). */
    public record ReadBillingStatusCommand(@TargetAggregateIdentifier String subscriptionId) {
    }

    /** The subscription's id for a tenant: one per tenant, derived so that no lookup is needed. */
    public static String subscriptionIdFor(String tenantId) {
        return "sub-" + tenantId;
    }
}
