package com.catalytic.api.auth;

import com.catalytic.api.user.Role;

/**
 * Who asks for a change, as the aggregates see it: a user with a role, possibly acting through an API key, or the
 * system itself (billing, operators).
 */
public record Actor(String userId, Role role, String apiKeyId) {

    public static Actor system() {
        return new Actor(null, Role.OWNER, null);
    }

    public static Actor of(Caller caller) {
        return new Actor(caller.userId(), caller.role(), caller.apiKeyId());
    }

    public boolean isSystem() {
        return userId == null && apiKeyId == null;
    }
}
