package com.catalytic.command.billing;

/**
 * How long unpaid invoices are tolerated: the tenant is suspended once {@code suspendAfterFailedPayments}
 * consecutive payments have failed ({@code catalytic.billing.suspend-after-failed-payments}, default 3), and
 * reinstated as soon as an invoice is paid.
 */
public record DunningPolicy(int suspendAfterFailedPayments) {

    public DunningPolicy {
        if (suspendAfterFailedPayments < 1) {
            throw new IllegalArgumentException("catalytic.billing.suspend-after-failed-payments must be at least 1");
        }
    }
}
