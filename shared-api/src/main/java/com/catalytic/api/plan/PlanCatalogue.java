package com.catalytic.api.plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The plans on offer, by name. The defaults are the product's published price list. */
public final class PlanCatalogue {

    public static final String FREE = "free";

    private final Map<String, Plan> plans = new LinkedHashMap<>();

    public PlanCatalogue(List<Plan> plans) {
        plans.forEach(p -> this.plans.put(p.name(), p));
        if (!this.plans.containsKey(FREE)) {
            throw new IllegalArgumentException("the plan catalogue must contain the 'free' plan");
        }
    }

    public static PlanCatalogue defaults() {
        int u = Plan.UNLIMITED;
        return new PlanCatalogue(List.of(
                new Plan("free", 0, 1_000, 5, 1, 3, 10, 100, 60, 0),
                new Plan("starter", 29, 10_000, 50, 3, 5, 50, 1_000, 300, 14),
                new Plan("professional", 99, 100_000, 500, 10, 10, 100, 10_000, 1_200, 7),
                new Plan("enterprise", 499, u, u, u, 10, 1_000, 50_000, 6_000, 0)));
    }

    public Optional<Plan> find(String name) {
        return Optional.ofNullable(plans.get(name));
    }

    /** The named plan, or free when the name is unknown (a plan removed from the catalogue keeps working). */
    public Plan get(String name) {
        return plans.getOrDefault(name, plans.get(FREE));
    }

    public List<Plan> all() {
        return List.copyOf(plans.values());
    }
}
