package com.catalytic.api.plan;

/**
 * A subscription plan and its quotas. {@code -1} means unlimited. {@code maxObstacles}: blocked vertices one lattice
 * may hold.
 */
public record Plan(String name, int priceMonthly, long apiCallsPerMonth, int lattices, int users, int maxDimensions,
                   int maxSize, int maxObstacles, int requestsPerMinute, int trialDays) {

    public static final int UNLIMITED = -1;

    public boolean allowsUsers(long count) {
        return users == UNLIMITED || count <= users;
    }

    public boolean allowsLattices(long count) {
        return lattices == UNLIMITED || count <= lattices;
    }
}
