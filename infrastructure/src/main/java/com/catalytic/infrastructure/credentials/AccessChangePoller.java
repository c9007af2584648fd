package com.catalytic.infrastructure.credentials;

import com.catalytic.api.account.AccountQueries.AccessChange;
import com.catalytic.api.account.AccountQueries.AccessChangesSinceQuery;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Follows the {@code access_changes} feed (one small query per interval, whatever the traffic) and evicts what it
 * names from this node's {@link CredentialCache} and revocation set. Each poll re-reads an overlap window, so a
 * change committed late, or a cache load that raced with the change, is corrected on the next polls.
 */
class AccessChangePoller {

    private static final Logger log = LoggerFactory.getLogger(AccessChangePoller.class);
    static final Duration OVERLAP = Duration.ofSeconds(10);

    private final QueryGateway queries;
    private final CredentialCache cache;
    private final RevocationRegistry revocations;
    private final Clock clock;
    private volatile Instant lastPoll;
    private volatile long lastWarning;

    public AccessChangePoller(QueryGateway queries, CredentialCache cache, RevocationRegistry revocations,
                              Duration lookBack, Clock clock) {
        this.queries = queries;
        this.cache = cache;
        this.revocations = revocations;
        this.clock = clock;
        this.lastPoll = clock.instant().minus(lookBack);
    }

    @Scheduled(fixedDelayString = "${catalytic.auth.access-poll-interval:250}")
    public void poll() {
        Instant now = clock.instant();
        List<AccessChange> changes;
        try {
            changes = queries.query(new AccessChangesSinceQuery(lastPoll.minus(OVERLAP)),
                    ResponseTypes.multipleInstancesOf(AccessChange.class)).join();
        } catch (RuntimeException e) {
            if (clock.millis() - lastWarning > 60_000) {
                lastWarning = clock.millis();
                log.warn("Polling access changes failed: {}", e.toString());
            }
            return;
        }
        for (AccessChange c : changes) {
            switch (c.kind()) {
                case "session" -> revocations.markRevokedLocally(c.subjectId());
                case "user" -> cache.evictPrincipal(c.subjectId());
                case "tenant" -> cache.evictTenant(c.subjectId());
                case "api_key" -> cache.evictApiKey(c.subjectId());
                default -> log.debug("ignoring access change of kind {}", c.kind());
            }
        }
        lastPoll = now;
    }
}
