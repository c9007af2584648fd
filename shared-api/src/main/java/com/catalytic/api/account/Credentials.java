package com.catalytic.api.account;

import com.catalytic.api.tenant.TenantCommands;

/**
 * What login needs to know about an account. Never leaves the process. {@code sessionEpoch} moves on at every
 * deactivation: a session started in an earlier epoch is over, even once the user is active again.
 */
public record Credentials(String userId, String tenantId, String email, String passwordHash, String role,
                          boolean active, String tenantStatus, String tenantSuspensionReason, int sessionEpoch) {
    /** Suspended because invoices are unpaid (owners and admins may still sign in to pay). */
    public boolean tenantSuspendedForNonPayment() {
        return "suspended".equals(tenantStatus)
                && TenantCommands.isNonPaymentReason(tenantSuspensionReason);
    }

    @Override
    public String toString() {
        return "Credentials[userId=" + userId + ", tenantId=" + tenantId + "]";
    }
}
