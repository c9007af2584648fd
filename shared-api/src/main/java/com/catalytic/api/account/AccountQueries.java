package com.catalytic.api.account;

import com.catalytic.api.tenant.TenantCommands;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** Queries about tenants, users, sessions and API keys. */
public final class AccountQueries {

    private AccountQueries() {
    }

    /** The caller's own account and its tenant ({@code GET /api/me}): answered with {@link MeView} or null. */
    public record FindMeQuery(String tenantId, String userId) {
    }

    public record MeView(String id, String email, String role, boolean active, Instant createdAt, TenantView tenant) {
    }

    /**
     * The addresses of the tenant's active members in these roles who sign in (a password is set: not a pending
     * invitation, nor a member whose address another tenant's user holds), in address order; answered with
     * {@link MemberAddresses}.
     */
    public record ListMemberAddressesQuery(String tenantId, List<String> roles) {
    }

    public record MemberAddresses(List<String> emails) {
    }

    /** A user's sessions that are not revoked: answered with {@link OpenSessions}. */
    public record ListOpenSessionsQuery(String userId) {
    }

    public record OpenSessions(List<String> sessionIds) {
    }

    /** All users of a tenant, oldest first; answered with a list of {@link UserView}. */
    public record ListUsersQuery(String tenantId) {
    }

    /** The per-request view of a user: answered with {@link PrincipalState} or null. */
    public record FindPrincipalQuery(String userId) {
    }

    /** {@code sessionEpoch}: sessions started in an earlier epoch (before a deactivation) are over. */
    public record PrincipalState(String userId, String tenantId, String role, boolean active, int sessionEpoch) {
    }

    /** The per-request view of a tenant: answered with {@link TenantState} or null. */
    public record FindTenantStateQuery(String tenantId) {
    }

    public record TenantState(String tenantId, String status, String plan, String suspensionReason) {
        public boolean suspended() {
            return "suspended".equals(status);
        }

        /** Suspended because invoices are unpaid: owners and admins may still reach billing to pay. */
        public boolean suspendedForNonPayment() {
            return suspended() && TenantCommands.isNonPaymentReason(suspensionReason);
        }
    }

    /** Key verification: answered with {@link ApiKeyRecord} or null. */
    public record FindApiKeyByHashQuery(String keyHash) {
    }

    public record ApiKeyRecord(String keyId, String tenantId, String createdBy, Set<String> scopes, Instant expiresAt,
                               Instant revokedAt, Instant validUntil, Integer rateLimitPerMinute) {
    }

    /** Keys of a tenant (all, or only those created by {@code createdBy}); answered with a list of {@link ApiKeyView}. */
    public record ListApiKeysQuery(String tenantId, String createdBy) {
    }

    public record FindApiKeyQuery(String tenantId, String keyId) {
    }

    public record ApiKeyView(String id, String name, String prefix, Set<String> scopes, String createdBy,
                             Instant createdAt, Instant expiresAt, Instant lastUsedAt, Instant revokedAt,
                             Instant validUntil, String replacedBy, Integer rateLimitPerMinute, String status) {
    }

    /** Changes that invalidate cached credentials since an instant; answered with a list of {@link AccessChange}. */
    public record AccessChangesSinceQuery(Instant since) {
    }

    /** kind is one of session, user, tenant, api_key. */
    public record AccessChange(long seq, String kind, String subjectId) {
    }
}
