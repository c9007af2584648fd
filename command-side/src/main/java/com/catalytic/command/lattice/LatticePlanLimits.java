package com.catalytic.command.lattice;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.error.DomainException.Kind;
import com.catalytic.api.plan.Plan;
import com.catalytic.command.lattice.engine.LatticeDefinition;
import com.catalytic.command.lattice.engine.LatticeInputException;
import java.util.List;
import java.util.Map;

/**
 * What a plan lets a tenant create: how many live lattices, how many dimensions, points per side and obstacles.
 * The limits are checked before the definition is built, so a request far beyond its plan costs no arithmetic.
 */
public final class LatticePlanLimits {

    private LatticePlanLimits() {
    }

    /**
     * The definition of a new lattice for a tenant that holds {@code liveLattices}: 402 {@code plan_limit} naming
     * the limit and its value, 422 naming the field for a definition that is not acceptable.
     */
    public static LatticeDefinition admit(Plan plan, int liveLattices, int dimensions, int size,
                                          List<List<Integer>> obstacles) {
        if (!plan.allowsLattices(liveLattices + 1L)) {
            throw planLimit(plan, "lattices", plan.lattices(), "lattices", "delete one or upgrade to add more");
        }
        if (exceeds(plan.maxDimensions(), dimensions)) {
            throw planLimit(plan, "max_dimensions", plan.maxDimensions(), "dimensions", "upgrade for more");
        }
        if (exceeds(plan.maxSize(), size)) {
            throw planLimit(plan, "max_size", plan.maxSize(), "points per side", "upgrade for larger lattices");
        }
        int obstacleCount = obstacles == null ? 0 : obstacles.size();
        if (exceeds(plan.maxObstacles(), obstacleCount)) {
            throw planLimit(plan, "max_obstacles", plan.maxObstacles(), "obstacles per lattice", "upgrade for more");
        }
        return define(dimensions, size, obstacles);
    }

    /** A definition as the engine accepts it, or 422 naming the field at fault. */
    public static LatticeDefinition define(int dimensions, int size, List<List<Integer>> obstacles) {
        try {
            return LatticeDefinition.of(dimensions, size, obstacles == null ? List.of() : obstacles);
        } catch (LatticeInputException e) {
            throw LatticeErrors.of(e);
        }
    }

    private static boolean exceeds(int limit, int value) {
        return limit != Plan.UNLIMITED && value > limit;
    }

    private static DomainException planLimit(Plan plan, String limit, int value, String what, String advice) {
        return new DomainException(Kind.PAYMENT_REQUIRED, "plan_limit", "the " + plan.name() + " plan allows "
                + value + " " + what + " (" + limit + " = " + value + "); " + advice)
                .withDetails(Map.of("limit_name", limit, "limit", value, "plan", plan.name()));
    }
}
