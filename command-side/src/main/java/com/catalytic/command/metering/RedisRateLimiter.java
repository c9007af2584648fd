package com.catalytic.command.metering;

import java.util.ArrayList;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Token buckets in Redis (through Lettuce), decided by one atomic script per request on Redis's own clock, so nodes
 * with skewed clocks still share one limit. Each bucket is a hash {@code {t: tokens, ts: last refill ms}} that
 * expires once it would be full again.
 */
public class RedisRateLimiter implements RateLimiter {

    private static final RedisScript<List> SCRIPT = new DefaultRedisScript<>("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local n = #KEYS
            local tokens = {}
            local allowed = 1
            for i = 1, n do
              local cap = tonumber(ARGV[i])
              local rate = cap / 60000
              local b = redis.call('HMGET', KEYS[i], 't', 'ts')
              local tk = tonumber(b[1])
              local ts = tonumber(b[2])
              if tk == nil or ts == nil then tk = cap; ts = now end
              tk = math.min(cap, tk + math.max(0, now - ts) * rate)
              tokens[i] = tk
              if tk < 1 then allowed = 0 end
            end
            local out = {allowed}
            for i = 1, n do
              local cap = tonumber(ARGV[i])
              local rate = cap / 60000
              local tk = tokens[i]
              if allowed == 1 then tk = tk - 1 end
              redis.call('HSET', KEYS[i], 't', tostring(tk), 'ts', tostring(now))
              redis.call('PEXPIRE', KEYS[i], math.ceil((cap - tk) / rate) + 1000)
              table.insert(out, tostring(tk))
            end
            return out
            """, List.class);

    private final StringRedisTemplate redis;
    private final String prefix;

    public RedisRateLimiter(StringRedisTemplate redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    @Override
    public Decision acquire(List<Bucket> buckets) {
        List<String> keys = new ArrayList<>(buckets.size());
        Object[] caps = new Object[buckets.size()];
        for (int i = 0; i < buckets.size(); i++) {
            keys.add(prefix + "rl:" + buckets.get(i).key());
            caps[i] = Integer.toString(buckets.get(i).perMinute());
        }
        List<?> result = redis.execute(SCRIPT, keys, caps);
        boolean allowed = ((Number) result.get(0)).longValue() == 1;
        double[] tokens = new double[buckets.size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = Double.parseDouble(result.get(i + 1).toString());
        }
        return TokenBuckets.decide(allowed, buckets, tokens);
    }
}
