package com.catalytic.api.identity;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** API key scopes and the least role that may hold each: a key never exceeds its creator's role. */
public final class Scopes {

    public static final String LATTICES_READ = "lattices:read";
    public static final String LATTICES_WRITE = "lattices:write";
    public static final String USAGE_READ = "usage:read";
    public static final String AUDIT_READ = "audit:read";
    public static final String WEBHOOKS_MANAGE = "webhooks:manage";
    public static final String KEYS_MANAGE = "keys:manage";
    public static final String USERS_READ = "users:read";
    public static final String USERS_MANAGE = "users:manage";
    public static final String TENANT_MANAGE = "tenant:manage";

    private static final Map<String, Role> LEAST_ROLE = new LinkedHashMap<>();

    static {
        LEAST_ROLE.put(LATTICES_READ, Role.VIEWER);
        LEAST_ROLE.put(LATTICES_WRITE, Role.MEMBER);
        LEAST_ROLE.put(USAGE_READ, Role.VIEWER);
        LEAST_ROLE.put(USERS_READ, Role.VIEWER);
        LEAST_ROLE.put(AUDIT_READ, Role.ADMIN);
        LEAST_ROLE.put(WEBHOOKS_MANAGE, Role.ADMIN);
        LEAST_ROLE.put(KEYS_MANAGE, Role.ADMIN);
        LEAST_ROLE.put(USERS_MANAGE, Role.ADMIN);
        LEAST_ROLE.put(TENANT_MANAGE, Role.OWNER);
    }

    private Scopes() {
    }

    public static Set<String> all() {
        return LEAST_ROLE.keySet();
    }

    public static boolean isKnown(String scope) {
        return LEAST_ROLE.containsKey(scope);
    }

    /** Every scope a holder of {@code role} may use. */
    public static Set<String> heldBy(Role role) {
        Set<String> held = new TreeSet<>();
        LEAST_ROLE.keySet().stream().filter(scope -> allowedFor(scope, role)).forEach(held::add);
        return held;
    }

    /** True when a holder of {@code role} may use (and so grant) this scope. */
    public static boolean allowedFor(String scope, Role role) {
        Role least = LEAST_ROLE.get(scope);
        return least != null && role != null && role.includes(least);
    }
}
