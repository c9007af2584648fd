package com.catalytic.infrastructure.credentials;

import com.catalytic.api.auth.IsSessionRevokedQuery;
import com.catalytic.infrastructure.store.KeyValueStore.StoreUnavailable;
import com.catalytic.infrastructure.store.KeyValueStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 *   <li>Every node also learns revocations from the access-change feed ({@link AccessChangePoller}) into a local
 *   set, so a revocation whose Redis write failed still reaches every node within a poll interval, and a node that
 *   saw Redis fail copies recent revocations back once Redis answers again.</li>
 * </ul>
 */
public class RevocationRegistry {

    private static final Logger log = LoggerFactory.getLogger(RevocationRegistry.class);
    private static final String PREFIX = "revoked:sid:";

    private final KeyValueStore store;
    private final QueryGateway queries;
    private final Duration keep;
    private final Clock clock;
    private final AtomicBoolean resyncNeeded = new AtomicBoolean(false);
    private final Map<String, Instant> local = new ConcurrentHashMap<>();

    public RevocationRegistry(KeyValueStore store, QueryGateway queries, Duration accessTokenTtl, Clock clock) {
        this.store = store;
        this.queries = queries;
        // an access token lives at most this long after its session is revoked: no need to remember longer
        this.keep = accessTokenTtl.plusMinutes(1);
        this.clock = clock;
    }

    public void markRevoked(String sessionId) {
        local.put(sessionId, clock.instant().plus(keep));
        try {
            store.put(PREFIX + sessionId, "1", keep);
        } catch (StoreUnavailable e) {
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
            } catch (StoreUnavailable e) {
                degraded(e);
            }
        }
        return Boolean.TRUE.equals(queries.query(new IsSessionRevokedQuery(sessionId),
                ResponseTypes.instanceOf(Boolean.class)).join());
    }

    /** A revocation learnt from the access-change feed (made on another node, or while Redis was away). */
    public void markRevokedLocally(String sessionId) {
        local.putIfAbsent(sessionId, clock.instant().plus(keep));
    }

    /** Drops expired local entries; once Redis answers again after an outage, copies recent revocations back. */
    @Scheduled(fixedDelayString = "${catalytic.auth.revocation-resync-interval:2000}")
    public void maintain() {
        Instant now = clock.instant();
        local.values().removeIf(expiry -> expiry.isBefore(now));
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
        } catch (StoreUnavailable e) {
            // still down; the database answers meanwhile
        }
    }

    private void degraded(StoreUnavailable e) {
        if (resyncNeeded.compareAndSet(false, true)) {
            log.warn("Fast store unreachable ({}); revocation checks use the database until it is back", e.getMessage());
        }
    }
}
