package com.catalytic.api.billing;

import com.catalytic.api.identity.TenantScoped;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * Events of a tenant's subscription. Stored forever: never change their meaning. Those caused by Stripe name the
 * Stripe event ({@code stripeEventId}, {@code stripeEventCreated}) they came from.
 */
public final class SubscriptionEvents {

    private SubscriptionEvents() {
    }

    @Revision("1")
    public record CheckoutStartedEvent(String subscriptionId, String tenantId, String checkoutSessionId, String plan,
                                       String interval, String startedBy) implements TenantScoped {
    }

    @Revision("1")
    public record StripeCustomerLinkedEvent(String subscriptionId, String tenantId, String customerId,
                                            String stripeEventId, Instant stripeEventCreated) implements TenantScoped {
    }

    /** The subscription as Stripe reported it: status trialing, active, past_due, canceled, unpaid, incomplete… */
    @Revision("1")
    public record SubscriptionUpdatedEvent(String subscriptionId, String tenantId, String stripeSubscriptionId,
                                           String plan, String interval, String status, Instant currentPeriodStart,
                                           Instant currentPeriodEnd, Instant trialEnd, boolean cancelAtPeriodEnd,
                                           String stripeEventId, Instant stripeEventCreated) implements TenantScoped {
    }

    @Revision("1")
    public record TrialEndingEvent(String subscriptionId, String tenantId, String plan, Instant trialEnd,
                                   String stripeEventId, Instant stripeEventCreated) implements TenantScoped {
    }

    /** {@code failedPayments}: failures still counted after this payment (0 unless it was reported late). */
    @Revision("1")
    public record PaymentSucceededEvent(String subscriptionId, String tenantId, String invoiceId, long amountPaid,
                                        String currency, String hostedInvoiceUrl, int failedPayments,
                                        String stripeEventId, Instant stripeEventCreated) implements TenantScoped {
    }

    /** {@code failedPayments}: failures since the last successful payment, this one included. */
    @Revision("1")
    public record PaymentFailedEvent(String subscriptionId, String tenantId, String invoiceId, long amountDue,
                                     String currency, int attemptCount, int failedPayments, Instant nextPaymentAttempt,
                                     String hostedInvoiceUrl, String stripeEventId, Instant stripeEventCreated)
            implements TenantScoped {
    }

    @Revision("1")
    public record PaymentActionRequiredEvent(String subscriptionId, String tenantId, String invoiceId, long amountDue,
                                             String currency, String hostedInvoiceUrl, String stripeEventId,
                                             Instant stripeEventCreated) implements TenantScoped {
    }

    /**
     * A Stripe event that names this tenant but cannot be its own was recorded and not applied; nothing else changed.
     * {@code reason}: {@code customer_mismatch} (the event's customer is not the one linked to the subscription) or
     * {@code customer_taken} (the customer is on record for another tenant). {@code linkedCustomerId}: the
     * subscription's customer at the time, null when none was linked yet.
     */
    @Revision("1")
    public record StripeEventRejectedEvent(String subscriptionId, String tenantId, String reason, String customerId,
                                           String linkedCustomerId, String stripeEventId, String stripeEventType,
                                           Instant stripeEventCreated) implements TenantScoped {
    }

    /** Dunning gave up waiting: the tenant is suspended until an invoice is paid. */
    @Revision("1")
    public record SuspendedForNonPaymentEvent(String subscriptionId, String tenantId, int failedPayments)
            implements TenantScoped {
    }

    /** An invoice was paid after a suspension for non-payment: the tenant is reinstated. */
    @Revision("1")
    public record NonPaymentResolvedEvent(String subscriptionId, String tenantId, String invoiceId)
            implements TenantScoped {
    }
}
