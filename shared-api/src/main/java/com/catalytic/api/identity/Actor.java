package com.catalytic.api.identity;

import java.util.Set;

/**
 * Who asks for a change, as the aggregates see it: a user with a role, possibly acting through an API key, or the
 * system itself (billing, operators). {@code keyScopes} are the scopes of that API key (null without one): what is
 * done through a key never hands out more than they allow.
 */
public record Actor(String userId, Role role, String apiKeyId, Set<String> keyScopes) {

    public Actor(String userId, Role role, String apiKeyId) {
        this(userId, role, apiKeyId, null);
    }

    public static Actor system() {
        return new Actor(null, Role.OWNER, null);
    }

    public static Actor of(Caller caller) {
        return new Actor(caller.userId(), caller.role(), caller.apiKeyId(),
                !caller.isApiKey() ? null : caller.scopes() == null ? Set.of() : Set.copyOf(caller.scopes()));
    }

    public boolean isSystem() {
        return userId == null && apiKeyId == null;
    }

    /** True without an API key; through one, when the key holds every scope named (a key of unknown scopes: none). */
    public boolean keyHolds(Set<String> scopes) {
        return apiKeyId == null || (keyScopes != null && keyScopes.containsAll(scopes));
    }
}
