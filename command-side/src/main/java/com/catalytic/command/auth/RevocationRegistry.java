package com.catalytic.command.auth;

import com.catalytic.api.query.IsSessionRevokedQuery;
import com.catalytic.api.query.RecentlyRevokedSessionsQuery;
import com.catalytic.command.infra.FastStore;
import com.catalytic.command.infra.FastStore.FastStoreUnavailable;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Which sessions are revoked. The event store is the truth (a {@code SessionRevokedEvent}); the shared fast store
 * (Redis) answers the per-request check; when it is unreachable the check falls back to the database projection.
 * A node that saw the fast store fail copies the recent revocations back into it once it answers again, so
 * revocations made during an outage are honoured everywhere afterwards.
 */
public class RevocationRegistry {

    private static final Logger log = LoggerFactory.getLogger(RevocationRegistry.class);
    private static final String PREFIX = "revoked:sid:";

    private final FastStore store;
    private final QueryGateway queries;
    private final Duration keep;
    private final Clock clock;
    private final AtomicBoolean resyncNeeded = new AtomicBoolean(false);

    public RevocationRegistry(FastStore store, QueryGateway queries, Duration accessTokenTtl, Clock clock) {
        this.store = store;
        this.queries = queries;
        this.keep = accessTokenTtl.plusMinutes(1);
        this.clock = clock;
    }

    public void markRevoked(String sessionId) {
        try {
            store.put(PREFIX + sessionId, "1", keep);
        } catch (FastStoreUnavailable e) {
            degraded(e);
        }
    }

    public boolean isRevoked(String sessionId) {
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

    @Scheduled(fixedDelayString = "${catalytic.auth.revocation-resync-interval:2000}")
    public void resyncIfNeeded() {
        if (!resyncNeeded.get()) {
            return;
        }
        try {
            List<String> revoked = queries.query(new RecentlyRevokedSessionsQuery(clock.instant().minus(keep)),
                    ResponseTypes.multipleInstancesOf(String.class)).join();
            for (String sid : revoked) {
                store.put(PREFIX + sid, "1", keep);
            }
            resyncNeeded.set(false);
            log.info("Fast store reachable again; {} recent session revocations copied back", revoked.size());
        } catch (FastStoreUnavailable e) {
            // still down; the database answers meanwhile
        } catch (RuntimeException e) {
            log.warn("Resync of session revocations failed: {}", e.toString());
        }
    }

    private void degraded(FastStoreUnavailable e) {
        if (resyncNeeded.compareAndSet(false, true)) {
            log.warn("Fast store unreachable ({}); revocation checks use the database until it is back", e.getMessage());
        }
    }
}
