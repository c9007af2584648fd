package com.catalytic.command.lattice;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.error.DomainException.Kind;
import com.catalytic.command.lattice.engine.ComputeCancelledException;
import com.catalytic.command.lattice.engine.LatticeInputException;
import com.catalytic.command.lattice.engine.SearchLimitExceededException;
import com.catalytic.command.lattice.engine.TooLargeToAnalyzeException;
import java.time.Duration;
import java.util.Map;

/** The one place where the engine's exceptions, and the compute executor's refusals, become problem answers. */
final class LatticeErrors {

    private LatticeErrors() {
    }

    /** The problem for an exception the engine threw; anything else is a fault and is rethrown. */
    static DomainException of(RuntimeException e) {
        if (e instanceof DomainException d) {
            return d;
        }
        if (e instanceof LatticeInputException input) {
            return DomainException.validation(input.field(), "invalid_" + input.field(), input.getMessage());
        }
        if (e instanceof TooLargeToAnalyzeException tooLarge) {
            return DomainException.validation(null, "too_large_to_analyze", "this lattice has more than "
                            + tooLarge.limit() + " vertices to scan, the most an analysis may scan here")
                    .withDetails(Map.of("limit", tooLarge.limit()));
        }
        if (e instanceof SearchLimitExceededException search) {
            return DomainException.validation(null, "search_limit", "the shortest path needs a search of more than "
                            + search.limit() + " vertices, the most a search may explore here")
                    .withDetails(Map.of("limit", search.limit()));
        }
        if (e instanceof ComputeCancelledException) {
            return timeout(null);
        }
        throw e;
    }

    /** 503: the computation ran out of its time budget and was stopped. */
    static DomainException timeout(Duration budget) {
        return new DomainException(Kind.UNAVAILABLE, "compute_timeout", budget == null
                ? "the computation was stopped: it ran out of its time budget"
                : "the computation was stopped: it ran out of its time budget of " + budget.toMillis() + " ms")
                .withDetails(budget == null ? Map.of() : Map.of("budget_ms", budget.toMillis()));
    }

    /** 429: the tenant already runs as many computations as it may, or every compute thread is taken. */
    static DomainException busy(String why, long retryAfterSeconds) {
        return DomainException.tooManyRequests("compute_busy", why, retryAfterSeconds);
    }
}
