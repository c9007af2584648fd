package com.catalytic.deploy.web;

import com.catalytic.api.error.DomainException;
import com.catalytic.deploy.health.DatabaseAvailability;
import com.catalytic.deploy.health.DatabaseAvailability.DatabaseUnavailable;
import com.catalytic.deploy.health.DatabaseFailures;
import com.catalytic.deploy.health.GuardedDataSource;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The answer to a request the database failed: 503 {@code database_unavailable} with {@code Retry-After}, never a
 * 500. A change whose request had a connection when the database went away may have been committed before the
 * connection broke ({@code may_have_taken_effect}: true); one refused before it had a connection changed nothing.
 */
@Component
class DatabaseOutages {

    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    private final DatabaseAvailability availability;

    DatabaseOutages(DatabaseAvailability availability) {
        this.availability = availability;
    }

    /** Whether {@code failure} means the database could not be reached. */
    boolean isOutage(Throwable failure) {
        return DatabaseFailures.isUnavailable(failure);
    }

    /** The problem to answer with; a failure the breaker has not seen yet opens it. */
    DomainException problem(HttpServletRequest req, Throwable failure) {
        if (!refusedByBreaker(failure)) {
            availability.failed(failure);
        }
        boolean mayHaveTakenEffect = !SAFE.contains(req.getMethod()) && GuardedDataSource.connectionHandedOut();
        String detail = mayHaveTakenEffect
                ? "the database became unavailable while this request ran, so it may have taken effect: repeat it "
                        + "with the same Idempotency-Key (a change already made answers 409 already_applied), or look "
                        + "the resource up first"
                : "the database is unavailable; nothing was changed: retry after Retry-After seconds";
        return new DomainException(DomainException.Kind.UNAVAILABLE, "database_unavailable", detail, null,
                availability.retryAfterSeconds()).withDetails(Map.of("may_have_taken_effect", mayHaveTakenEffect));
    }

    private static boolean refusedByBreaker(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DatabaseUnavailable) {
                return true;
            }
        }
        return false;
    }
}
