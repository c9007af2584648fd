package com.catalytic.infrastructure.metering;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Token buckets in Redis (through Lettuce), decided by one atomic script on Redis's own clock, so nodes with skewed
 * clocks still share one limit. Each bucket is a hash {@code {t: tokens, ts: last refill ms}} that expires once it
 * would be full again.
 *
 * <p>Busy buckets are served from <em>leases</em>: a node takes several tokens from the shared buckets in one round
 * trip and hands them to its next requests, for at most {@code leaseMillis}; whatever is not used by then lapses.
 * Every admitted request still holds a token taken from the shared buckets, so all nodes together never admit more
 * than the limit; a lease only moves the moment a token leaves Redis forward. A lease is at most
 * {@code 1 / leaseDivisor} of the tightest bucket (by default 5 %: 60 tokens of 1,200 a minute, while limits under 40
 * a minute are decided one request at a time, exactly as without leases) and at most {@code maxLease}; it doubles
 * while leases are used up in time and shrinks to what was used when one lapses, so it follows the node's own traffic
 * and little is left to lapse.
 */
class RedisRateLimiter implements RateLimiter {

    private static final RedisScript<List> SCRIPT = new DefaultRedisScript<>("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local want = tonumber(ARGV[1])
            local n = #KEYS
            local tokens = {}
            local grant = want
            for i = 1, n do
              local cap = tonumber(ARGV[i + 1])
              local rate = cap / 60000
              local b = redis.call('HMGET', KEYS[i], 't', 'ts')
              local tk = tonumber(b[1])
              local ts = tonumber(b[2])
              if tk == nil or ts == nil then tk = cap; ts = now end
              tk = math.min(cap, tk + math.max(0, now - ts) * rate)
              tokens[i] = tk
              grant = math.min(grant, math.floor(tk))
            end
            if grant < 1 then grant = 0 end
            local out = {grant}
            for i = 1, n do
              local cap = tonumber(ARGV[i + 1])
              local rate = cap / 60000
              local tk = tokens[i] - grant
              redis.call('HSET', KEYS[i], 't', tostring(tk), 'ts', tostring(now))
              redis.call('PEXPIRE', KEYS[i], math.ceil((cap - tk) / rate) + 1000)
              table.insert(out, tostring(tk))
            end
            return out
            """, List.class);

    /** Tokens a node holds for one set of buckets. */
    private static final class Lease {
        int left;
        long expiresAt;
        /** While the shared buckets are known to be empty: refuse without asking, until then. */
        long refusedUntil;
        Decision refusal;
        int size = 1;
        double[] sharedTokens;
    }

    private final StringRedisTemplate redis;
    private final String prefix;
    private final long leaseNanos;
    private final int maxLease;
    private final int leaseDivisor;
    private final LongSupplier nanoTime;
    private final Map<String, Lease> leases = new ConcurrentHashMap<>();

    /**
     * @param leaseMillis how long leased tokens may be used (0: no leases, one round trip per request)
     * @param maxLease the most tokens one lease takes
     * @param leaseDivisor a lease takes at most this fraction (1/n) of the tightest bucket's capacity
     */
    public RedisRateLimiter(StringRedisTemplate redis, String prefix, long leaseMillis, int maxLease,
                            int leaseDivisor, LongSupplier nanoTime) {
        this.redis = redis;
        this.prefix = prefix;
        this.leaseNanos = leaseMillis * 1_000_000;
        this.maxLease = Math.max(1, maxLease);
        this.leaseDivisor = Math.max(1, leaseDivisor);
        this.nanoTime = nanoTime;
    }

    @Override
    public Decision acquire(List<Bucket> buckets) {
        int ceiling = leaseNanos <= 0 ? 1 : leaseCeiling(buckets);
        if (ceiling <= 1) {
            return take(buckets, 1, null);
        }
        Lease lease = leases.computeIfAbsent(leaseKey(buckets), k -> new Lease());
        int want;
        synchronized (lease) {
            long now = nanoTime.getAsLong();
            if (lease.left > 0 && now - lease.expiresAt < 0) {
                lease.left--;
                return decide(true, buckets, lease.sharedTokens, lease.left);
            }
            if (lease.refusal != null && now - lease.refusedUntil < 0) {
                return lease.refusal;
            }
            if (now - lease.expiresAt < 0 || lease.sharedTokens == null) {
                lease.size = Math.min(ceiling, lease.size * 2); // used up in time: the traffic is there
            } else {
                lease.size = Math.max(1, Math.min(ceiling, lease.size - lease.left)); // lapsed: what was used
            }
            lease.left = 0;
            want = lease.size;
        }
        if (leases.size() > 100_000) {
            long now = nanoTime.getAsLong();
            leases.values().removeIf(l -> now - l.expiresAt > 60_000_000_000L);
        }
        return take(buckets, want, lease);
    }

    /** One round trip: {@code want} tokens (or as many as every bucket has); one for this request, the rest leased. */
    private Decision take(List<Bucket> buckets, int want, Lease lease) {
        List<String> keys = new ArrayList<>(buckets.size());
        Object[] args = new Object[buckets.size() + 1];
        args[0] = Integer.toString(want);
        for (int i = 0; i < buckets.size(); i++) {
            keys.add(prefix + "rl:" + buckets.get(i).key());
            args[i + 1] = Integer.toString(buckets.get(i).perMinute());
        }
        List<?> result = redis.execute(SCRIPT, keys, args);
        int granted = (int) ((Number) result.get(0)).longValue();
        double[] tokens = new double[buckets.size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = Double.parseDouble(result.get(i + 1).toString());
        }
        if (granted < 1) {
            Decision refused = TokenBuckets.decide(false, buckets, tokens);
            if (lease != null) {
                synchronized (lease) { // no token before the refill: the node's next calls need not ask
                    lease.refusal = refused;
                    lease.refusedUntil = nanoTime.getAsLong()
                            + Math.min(leaseNanos, refillNanos(buckets, tokens));
                }
            }
            return refused;
        }
        if (lease == null) {
            return TokenBuckets.decide(true, buckets, tokens);
        }
        synchronized (lease) {
            lease.refusal = null;
            lease.left += granted - 1;
            lease.expiresAt = nanoTime.getAsLong() + leaseNanos;
            lease.sharedTokens = tokens;
            return decide(true, buckets, tokens, lease.left);
        }
    }

    /** Headers count the tokens this node still holds as remaining: the shared bucket's plus the lease's. */
    private static Decision decide(boolean allowed, List<Bucket> buckets, double[] shared, int leased) {
        double[] tokens = new double[shared.length];
        for (int i = 0; i < shared.length; i++) {
            tokens[i] = Math.min(buckets.get(i).perMinute(), shared[i] + leased);
        }
        return TokenBuckets.decide(allowed, buckets, tokens);
    }

    /** How long until every bucket holds a whole token again. */
    private static long refillNanos(List<Bucket> buckets, double[] tokens) {
        double millis = 0;
        for (int i = 0; i < tokens.length; i++) {
            double perMilli = buckets.get(i).perMinute() / 60000.0;
            millis = Math.max(millis, (1 - tokens[i]) / perMilli);
        }
        return (long) (millis * 1_000_000);
    }

    private int leaseCeiling(List<Bucket> buckets) {
        int tightest = Integer.MAX_VALUE;
        for (Bucket b : buckets) {
            tightest = Math.min(tightest, b.perMinute());
        }
        return Math.min(maxLease, tightest / leaseDivisor);
    }

    private static String leaseKey(List<Bucket> buckets) {
        if (buckets.size() == 1) {
            return buckets.get(0).key() + "|" + buckets.get(0).perMinute();
        }
        StringBuilder sb = new StringBuilder();
        for (Bucket b : buckets) {
            sb.append(b.key()).append('|').append(b.perMinute()).append(';');
        }
        return sb.toString();
    }
}
