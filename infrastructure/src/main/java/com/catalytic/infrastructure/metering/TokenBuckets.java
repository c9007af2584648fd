package com.catalytic.infrastructure.metering;

import com.catalytic.infrastructure.metering.RateLimiter.Bucket;
import com.catalytic.infrastructure.metering.RateLimiter.Decision;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The same token-bucket arithmetic as the Redis script, in process: the embedded default and the Redis fallback. */
public class TokenBuckets implements RateLimiter {

    private static final class State {
        double tokens;
        long ts;

        State(double tokens, long ts) {
            this.tokens = tokens;
            this.ts = ts;
        }
    }

    private final Map<String, State> buckets = new ConcurrentHashMap<>();
    private final Clock clock;
    private final int divisor;

    /** @param divisor each bucket's capacity is divided by this (the expected number of nodes when falling back) */
    public TokenBuckets(Clock clock, int divisor) {
        this.clock = clock;
        this.divisor = Math.max(1, divisor);
    }

    @Override
    public Decision acquire(List<Bucket> requested) {
        List<Bucket> scaled = requested.stream()
                .map(b -> new Bucket(b.key(), Math.max(1, b.perMinute() / divisor))).toList();
        long now = clock.millis();
        synchronized (this) {
            double[] tokens = new double[scaled.size()];
            boolean allowed = true;
            for (int i = 0; i < scaled.size(); i++) {
                Bucket b = scaled.get(i);
                State s = buckets.computeIfAbsent(b.key(), k -> new State(b.perMinute(), now));
                double rate = b.perMinute() / 60000.0;
                s.tokens = Math.min(b.perMinute(), s.tokens + Math.max(0, now - s.ts) * rate);
                s.ts = now;
                tokens[i] = s.tokens;
                if (s.tokens < 1) {
                    allowed = false;
                }
            }
            if (allowed) {
                for (int i = 0; i < scaled.size(); i++) {
                    buckets.get(scaled.get(i).key()).tokens -= 1;
                    tokens[i] -= 1;
                }
            }
            if (buckets.size() > 100_000) {
                buckets.values().removeIf(s -> now - s.ts > 120_000);
            }
            return decide(allowed, scaled, tokens);
        }
    }

    /** Headers describe the tightest bucket: the one with the fewest whole tokens left. */
    static Decision decide(boolean allowed, List<Bucket> buckets, double[] tokens) {
        int tightest = 0;
        for (int i = 1; i < tokens.length; i++) {
            if (Math.floor(tokens[i]) < Math.floor(tokens[tightest])) {
                tightest = i;
            }
        }
        int cap = buckets.get(tightest).perMinute();
        double rate = cap / 60000.0;
        double tk = Math.max(0, tokens[tightest]);
        long reset = (long) Math.ceil((cap - tk) / rate / 1000.0);
        long retry = allowed ? 0 : Math.max(1, (long) Math.ceil((1 - tk) / rate / 1000.0));
        return new Decision(allowed, cap, (long) Math.floor(tk), reset, retry);
    }
}
