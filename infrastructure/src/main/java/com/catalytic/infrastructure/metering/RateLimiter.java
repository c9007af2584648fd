package com.catalytic.infrastructure.metering;

import java.util.List;

/**
 * Token buckets shared by all nodes: each bucket holds up to {@code perMinute} tokens and refills at
 * {@code perMinute / 60} per second; a request takes one token from every bucket that applies to it (the tenant's,
 * and its API key's when the key sets a lower limit) or from none.
 */
public interface RateLimiter {

    record Bucket(String key, int perMinute) {
    }

    /**
     * @param allowed whether the request may proceed
     * @param limit the tightest bucket's capacity
     * @param remaining whole tokens left in the tightest bucket
     * @param resetSeconds seconds until the tightest bucket is full again
     * @param retryAfterSeconds when refused, seconds until a token is available
     */
    record Decision(boolean allowed, int limit, long remaining, long resetSeconds, long retryAfterSeconds) {
    }

    Decision acquire(List<Bucket> buckets);
}
