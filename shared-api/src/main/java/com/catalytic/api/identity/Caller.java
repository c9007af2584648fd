package com.catalytic.api.identity;

import com.catalytic.api.error.DomainException;
import java.util.Set;

/**
 * Who is calling, resolved from the credential of the request. Every tenant-scoped query and command is
 * scoped by {@link #tenantId()}.
 */
public record Caller(String tenantId, String userId, Role role, String sessionId, String apiKeyId, Set<String> scopes) {

    public boolean hasRole(Role required) { return role != null && role.includes(required); }

    public boolean isApiKey() { return apiKeyId != null; }

    /**
     * Whether this caller may act within a scope: users by their role; API keys by their scopes, never beyond the
     * current role of the user who created them.
     */
    public boolean allows(String scope) {
        return Scopes.allowedFor(scope, role) && (apiKeyId == null || scopes.contains(scope));
    }

    /** 403 {@code insufficient_scope} unless {@link #allows(String)}. */
    public void require(String scope) {
        if (!allows(scope)) {
            throw DomainException.forbidden("insufficient_scope", apiKeyId == null
                    ? "your role does not allow this (needs " + scope + ")"
                    : "this API key lacks the scope " + scope + " (or its creator's role no longer allows it)");
        }
    }
}
