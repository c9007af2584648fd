package com.catalytic.infrastructure.metering;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared limiter while Redis answers; a per-node limiter (each limit divided by the expected number of nodes)
 * while it does not, with one warning a minute. Requests keep flowing either way.
 */
class ResilientRateLimiter implements RateLimiter {

    private static final Logger log = LoggerFactory.getLogger(ResilientRateLimiter.class);

    private final RateLimiter shared;
    private final RateLimiter local;
    private final Clock clock;
    private final AtomicLong lastWarning = new AtomicLong();

    public ResilientRateLimiter(RateLimiter shared, RateLimiter local, Clock clock) {
        this.shared = shared;
        this.local = local;
        this.clock = clock;
    }

    @Override
    public Decision acquire(List<Bucket> buckets) {
        try {
            return shared.acquire(buckets);
        } catch (RuntimeException e) {
            long now = clock.millis();
            long last = lastWarning.get();
            if (now - last >= 60_000 && lastWarning.compareAndSet(last, now)) {
                log.warn("Redis unreachable ({}); rate limits are enforced per node until it is back", e.toString());
            }
            return local.acquire(buckets);
        }
    }
}
