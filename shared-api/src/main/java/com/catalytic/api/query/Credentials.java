package com.catalytic.api.query;

/** What login needs to know about an account. Never leaves the process. */
public record Credentials(String userId, String tenantId, String email, String passwordHash, String role,
                          boolean active, String tenantStatus, String tenantSuspensionReason) {
    /** Suspended because invoices are unpaid (owners and admins may still sign in to pay). */
    public boolean tenantSuspendedForNonPayment() {
        return "suspended".equals(tenantStatus)
                && com.catalytic.api.tenant.TenantCommands.isNonPaymentReason(tenantSuspensionReason);
    }

    @Override
    public String toString() {
        return "Credentials[userId=" + userId + ", tenantId=" + tenantId + "]";
    }
}
