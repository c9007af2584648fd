package com.catalytic.api.identity;

import java.util.Locale;

/** Tenant roles, strongest first: owner ⊃ admin ⊃ member ⊃ viewer. */
public enum Role {
    OWNER(4), ADMIN(3), MEMBER(2), VIEWER(1);

    private final int rank;

    Role(int rank) { this.rank = rank; }

    /** True when this role holds at least the rights of {@code other}. */
    public boolean includes(Role other) { return rank >= other.rank; }

    public String wire() { return name().toLowerCase(Locale.ROOT); }

    /** Parses the lower-case wire name; null when it is not a role. */
    public static Role fromWire(String value) {
        if (value == null) return null;
        for (Role r : values()) {
            if (r.wire().equals(value)) return r;
        }
        return null;
    }
}
