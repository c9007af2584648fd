package com.catalytic.command.tenant;

import com.catalytic.api.account.AccountQueries.TenantState;
import com.catalytic.api.account.Credentials;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Role;
import java.util.Set;

/**
 * What the people of a suspended tenant may still do. While a tenant is suspended for non-payment its owners and
 * admins may sign in and, with an access token (not an API key), look and pay: the calls of
 * {@link #BILLING_WHILE_SUSPENDED}. Nobody else may do anything, and during any other suspension nobody may.
 */
public final class SuspensionPolicy {

    /** What the owners and admins of a tenant suspended for non-payment may still call: look, and pay. */
    static final Set<String> BILLING_WHILE_SUSPENDED = Set.of("GET /api/me", "GET /api/tenant",
            "GET /api/subscription", "POST /api/subscription/portal");

    private SuspensionPolicy() {
    }

    /** Whether the user of {@code credentials} may sign in, given the state of their tenant. */
    public static boolean maySignIn(Credentials credentials) {
        return !"suspended".equals(credentials.tenantStatus())
                || credentials.tenantSuspendedForNonPayment() && mayPay(Role.fromWire(credentials.role()));
    }

    /** 403 {@code tenant_suspended} unless {@link #maySignIn}. */
    public static void requireMaySignIn(Credentials credentials) {
        if (!maySignIn(credentials)) {
            throw DomainException.forbidden("tenant_suspended", credentials.tenantSuspendedForNonPayment()
                    ? "this tenant is suspended until its open invoice is paid; an owner or admin can pay it"
                    : "this tenant is suspended; contact support");
        }
    }

    /** Whether {@code caller} of {@code tenant} may make the call {@code method} {@code path}. */
    public static boolean mayCall(TenantState tenant, Caller caller, String method, String path) {
        return !tenant.suspended()
                || tenant.suspendedForNonPayment() && !caller.isApiKey() && mayPay(caller.role())
                && BILLING_WHILE_SUSPENDED.contains(method + " " + path);
    }

    /** 403 {@code tenant_suspended} unless {@link #mayCall}. */
    public static void requireMayCall(TenantState tenant, Caller caller, String method, String path) {
        if (!mayCall(tenant, caller, method, path)) {
            throw DomainException.forbidden("tenant_suspended", tenant.suspendedForNonPayment()
                    ? "this tenant is suspended until its open invoice is paid; an owner or admin can pay it "
                            + "through POST /api/subscription/portal"
                    : "this tenant is suspended; contact the account owner or support");
        }
    }

    /** Unpaid invoices are paid by the people who manage the tenant. */
    private static boolean mayPay(Role role) {
        return role != null && role.includes(Role.ADMIN);
    }
}
