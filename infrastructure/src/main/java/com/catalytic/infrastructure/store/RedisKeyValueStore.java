package com.catalytic.infrastructure.store;

import java.time.Duration;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * {@link KeyValueStore} on Redis (Lettuce). Counters use one atomic script (INCR + PEXPIRE on first use + PTTL), so
 * every node sees the same count. Keys carry a configurable prefix.
 */
class RedisKeyValueStore implements KeyValueStore {

    private static final RedisScript<List> INCREMENT = new DefaultRedisScript<>(
            "local n = redis.call('INCR', KEYS[1]) "
                    + "if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end "
                    + "local t = redis.call('PTTL', KEYS[1]) "
                    + "if t < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) t = tonumber(ARGV[1]) end "
                    + "return {n, t}", List.class);

    private static final RedisScript<Long> DECREMENT = new DefaultRedisScript<>(
            "local n = tonumber(redis.call('GET', KEYS[1])) "
                    + "if n and n > 0 then return redis.call('DECR', KEYS[1]) end "
                    + "return 0", Long.class);

    private final StringRedisTemplate redis;
    private final String prefix;

    public RedisKeyValueStore(StringRedisTemplate redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    @Override
    public Counter increment(String key, Duration window) {
        try {
            List<?> r = redis.execute(INCREMENT, List.of(prefix + key), Long.toString(window.toMillis()));
            return new Counter(((Number) r.get(0)).longValue(), Math.max(1, (((Number) r.get(1)).longValue() + 999) / 1000));
        } catch (RuntimeException e) {
            throw new StoreUnavailable("Redis is unreachable", e);
        }
    }

    @Override
    public void decrement(String key) {
        try {
            redis.execute(DECREMENT, List.of(prefix + key));
        } catch (RuntimeException e) {
            throw new StoreUnavailable("Redis is unreachable", e);
        }
    }

    @Override
    public Counter peek(String key) {
        try {
            String v = redis.opsForValue().get(prefix + key);
            if (v == null) {
                return new Counter(0, 0);
            }
            Long ttl = redis.getExpire(prefix + key);
            return new Counter(Long.parseLong(v), ttl == null || ttl < 0 ? 1 : Math.max(1, ttl));
        } catch (RuntimeException e) {
            throw new StoreUnavailable("Redis is unreachable", e);
        }
    }

    @Override
    public void put(String key, String value, Duration ttl) {
        try {
            redis.opsForValue().set(prefix + key, value, ttl);
        } catch (RuntimeException e) {
            throw new StoreUnavailable("Redis is unreachable", e);
        }
    }

    @Override
    public boolean exists(String key) {
        try {
            return Boolean.TRUE.equals(redis.hasKey(prefix + key));
        } catch (RuntimeException e) {
            throw new StoreUnavailable("Redis is unreachable", e);
        }
    }

    @Override
    public void delete(String key) {
        try {
            redis.delete(prefix + key);
        } catch (RuntimeException e) {
            throw new StoreUnavailable("Redis is unreachable", e);
        }
    }

    @Override
    public boolean isShared() {
        return true;
    }
}
