package com.catalytic.api.billing;

import java.time.Instant;

/** Reading a tenant's subscription (the {@code subscriptions} read model). */
public final class BillingQueries {

    private BillingQueries() {
    }

    /** Answered with a {@link SubscriptionView}, or null when the tenant never started a checkout. */
    public record FindSubscriptionQuery(String tenantId) {
    }

    public record SubscriptionView(String id, String tenantId, String plan, String interval, String status,
                                   String stripeCustomerId, String stripeSubscriptionId, Instant currentPeriodStart,
                                   Instant currentPeriodEnd, Instant trialEnd, boolean cancelAtPeriodEnd,
                                   int failedPayments, boolean suspendedForNonPayment, Instant updatedAt) {
    }
}
