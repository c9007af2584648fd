package com.catalytic.infrastructure.node;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one node of an installation runs, from {@code catalytic.node.roles} ({@code CATALYTIC_NODE_ROLES}): a
 * comma-separated subset of {@code commands} (the command API), {@code queries} (the query API), {@code projections}
 * (the asynchronous projections: usage, audit) and {@code dispatchers} (mail and webhook delivery, and the
 * processors that plan them); {@code api} stands for commands and queries, {@code all} (the default) for every role.
 * A node starts nothing of a role it does not hold: no routes, no processor threads, no dispatcher.
 */
public final class NodeRoles {

    public enum Role {
        COMMANDS, QUERIES, PROJECTIONS, DISPATCHERS;

        public String settingName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final String SETTING = "catalytic.node.roles";

    private final Set<Role> roles;

    private NodeRoles(Set<Role> roles) {
        this.roles = Set.copyOf(roles);
    }

    public static NodeRoles all() {
        return new NodeRoles(EnumSet.allOf(Role.class));
    }

    /** The roles a setting names; a blank setting is every role. */
    public static NodeRoles parse(String setting) {
        if (setting == null || setting.isBlank()) {
            return all();
        }
        EnumSet<Role> roles = EnumSet.noneOf(Role.class);
        for (String word : setting.split(",")) {
            String name = word.trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "all" -> roles.addAll(EnumSet.allOf(Role.class));
                case "api" -> roles.addAll(EnumSet.of(Role.COMMANDS, Role.QUERIES));
                default -> roles.add(Arrays.stream(Role.values()).filter(r -> r.settingName().equals(name))
                        .findFirst().orElseThrow(() -> new IllegalArgumentException(SETTING + ": unknown role '"
                                + word.trim() + "'; the roles are api (commands and queries), commands, queries, "
                                + "projections, dispatchers, all")));
            }
        }
        return new NodeRoles(roles);
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }

    public Set<Role> roles() {
        return roles;
    }

    /** The roles in the setting's form, in a fixed order: {@code commands,queries,projections,dispatchers}. */
    @Override
    public String toString() {
        return Arrays.stream(Role.values()).filter(roles::contains).map(Role::settingName)
                .collect(Collectors.joining(","));
    }
}
