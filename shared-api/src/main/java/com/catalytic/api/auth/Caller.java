package com.catalytic.api.auth;

import com.catalytic.api.user.Role;
import java.util.Set;

/**
 * Who is calling, resolved from the credential of the request. Every tenant-scoped query and command is
 * scoped by {@link #tenantId()}.
 */
public record Caller(String tenantId, String userId, Role role, String sessionId, String apiKeyId, Set<String> scopes) {

    public boolean hasRole(Role required) { return role != null && role.includes(required); }
}
