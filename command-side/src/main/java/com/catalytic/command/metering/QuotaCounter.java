package com.catalytic.command.metering;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * How many calls a tenant has used this month, for the admission check of every metered request. The ledger in the
 * database is the truth; Redis (when configured) caches it for all nodes, is advanced after each committed batch
 * and re-read from the ledger when missing, stale for more than a minute, or after Redis was unreachable.
 */
public class QuotaCounter {

    /** INCRBY only when the key exists: a missing key is re-read from the ledger rather than started from zero. */
    private static final RedisScript<Long> INCR_IF_EXISTS = new DefaultRedisScript<>(
            "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) else return -1 end",
            Long.class);
    private static final Duration CACHE_TTL = Duration.ofSeconds(60);

    private final QuotaLedger ledger;
    private final StringRedisTemplate redis;
    private final String prefix;
    private final Set<String> staleKeys = ConcurrentHashMap.newKeySet();

    /** @param redis null for the embedded default: the ledger answers every check */
    public QuotaCounter(QuotaLedger ledger, StringRedisTemplate redis, String prefix) {
        this.ledger = ledger;
        this.redis = redis;
        this.prefix = prefix;
    }

    public long used(String tenantId, String period) {
        if (redis == null) {
            return ledger.used(tenantId, period);
        }
        String key = key(tenantId, period);
        try {
            if (!staleKeys.contains(key)) {
                String cached = redis.opsForValue().get(key);
                if (cached != null) {
                    return Long.parseLong(cached);
                }
                long used = ledger.used(tenantId, period);
                redis.opsForValue().setIfAbsent(key, Long.toString(used), CACHE_TTL);
                return used;
            }
        } catch (RuntimeException redisDown) {
            staleKeys.add(key);
        }
        return ledger.used(tenantId, period);
    }

    /** After a batch committed: advance the cached count, or remember to drop it once Redis answers again. */
    public void added(String tenantId, String period, long n) {
        if (redis == null) {
            return;
        }
        String key = key(tenantId, period);
        try {
            redis.execute(INCR_IF_EXISTS, List.of(key), Long.toString(n));
        } catch (RuntimeException redisDown) {
            staleKeys.add(key);
        }
    }

    @Scheduled(fixedDelayString = "${catalytic.metering.quota-resync-interval:1000}")
    public void dropStaleKeys() {
        if (redis == null || staleKeys.isEmpty()) {
            return;
        }
        try {
            for (String key : List.copyOf(staleKeys)) {
                redis.delete(key);
                staleKeys.remove(key);
            }
        } catch (RuntimeException stillDown) {
            // next time
        }
    }

    private String key(String tenantId, String period) {
        return prefix + "quota:" + tenantId + ":" + period;
    }
}
