package com.catalytic.command.auth;

import com.catalytic.api.query.IsSessionRevokedQuery;
import com.catalytic.api.query.RecentlyRevokedSessionsQuery;
import com.catalytic.command.infra.FastStore;
import com.catalytic.command.infra.FastStore.FastStoreUnavailable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Which sessions are revoked. The event store is the truth (a {@code SessionRevokedEvent}, projected into
 * {@code auth_sessions}); the shared fast store (Redis) answers the per-request check at once on every node.
 * <ul>
 *   <li>Redis unreachable: the check asks the database instead.</li>
 *   <li>Every node also polls the database each second for recent revocations into a local set, so a revocation
 *   whose Redis write failed (the revoking node could not reach Redis) still reaches every node within about a
 *   second, and a node that saw Redis fail copies recent revocations back once Redis answers again.</li>
 * </ul>
 */
public class RevocationRegistry {

    private static final Logger log = LoggerFactory.getLogger(RevocationRegistry.class);
    private static final String PREFIX = "revoked:sid:";
    /** Overlap between polls, covering commit lag between the event's timestamp and its visibility. */
    private static final Duration POLL_OVERLAP = Duration.ofSeconds(10);

    private final FastStore store;
    private final QueryGateway queries;
    private final Duration keep;
    private final Clock clock;
    private final AtomicBoolean resyncNeeded = new AtomicBoolean(false);
    private final Map<String, Instant> local = new ConcurrentHashMap<>();
    private volatile Instant lastPoll;

    public RevocationRegistry(FastStore store, QueryGateway queries, Duration accessTokenTtl, Clock clock) {
        this.store = store;
        this.queries = queries;
        // an access token lives at most this long after its session is revoked: no need to remember longer
        this.keep = accessTokenTtl.plusMinutes(1);
        this.clock = clock;
        this.lastPoll = clock.instant().minus(keep);
    }

    public void markRevoked(String sessionId) {
        local.put(sessionId, clock.instant().plus(keep));
        try {
            store.put(PREFIX + sessionId, "1", keep);
        } catch (FastStoreUnavailable e) {
            degraded(e);
        }
    }

    public boolean isRevoked(String sessionId) {
        if (local.containsKey(sessionId)) {
            return true;
        }
        if (!resyncNeeded.get()) {
            try {
                return store.exists(PREFIX + sessionId);
            } catch (FastStoreUnavailable e) {
                degraded(e);
            }
        }
        return Boolean.TRUE.equals(queries.query(new IsSessionRevokedQuery(sessionId),
                ResponseTypes.instanceOf(Boolean.class)).join());
    }

    @Scheduled(fixedDelayString = "${catalytic.auth.revocation-poll-interval:1000}",
            initialDelayString = "${catalytic.auth.revocation-poll-interval:1000}")
    public void poll() {
        Instant now = clock.instant();
        try {
            List<String> revoked = queries.query(new RecentlyRevokedSessionsQuery(lastPoll.minus(POLL_OVERLAP)),
                    ResponseTypes.multipleInstancesOf(String.class)).join();
            Instant until = now.plus(keep);
            revoked.forEach(sid -> local.putIfAbsent(sid, until));
            lastPoll = now;
            local.values().removeIf(expiry -> expiry.isBefore(now));
        } catch (RuntimeException e) {
            log.warn("Polling session revocations failed: {}", e.toString());
            return;
        }
        if (resyncNeeded.get()) {
            resync(now);
        }
    }

    private void resync(Instant now) {
        try {
            for (Map.Entry<String, Instant> e : local.entrySet()) {
                store.put(PREFIX + e.getKey(), "1", Duration.between(now, e.getValue()));
            }
            resyncNeeded.set(false);
            log.info("Fast store reachable again; {} recent session revocations copied back", local.size());
        } catch (FastStoreUnavailable e) {
            // still down; the database answers meanwhile
        }
    }

    private void degraded(FastStoreUnavailable e) {
        if (resyncNeeded.compareAndSet(false, true)) {
            log.warn("Fast store unreachable ({}); revocation checks use the database until it is back", e.getMessage());
        }
    }
}
