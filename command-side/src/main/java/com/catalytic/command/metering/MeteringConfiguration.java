package com.catalytic.command.metering;

import java.time.Clock;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.EventBus;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

@Configuration
public class MeteringConfiguration {

    /** Redis token buckets when {@code REDIS_HOST} is set (per-node buckets while it is down); in process otherwise. */
    @Bean
    RateLimiter rateLimiter(@Value("${REDIS_HOST:}") String redisHost,
                            @Value("${catalytic.redis.key-prefix:clc:}") String prefix,
                            @Value("${catalytic.rate-limit.expected-nodes:1}") int expectedNodes,
                            ObjectProvider<StringRedisTemplate> redis, Clock clock) {
        if (redisHost.isBlank()) {
            return new TokenBuckets(clock, 1);
        }
        return new ResilientRateLimiter(new RedisRateLimiter(redis.getObject(), prefix),
                new TokenBuckets(clock, expectedNodes), clock);
    }

    @Bean
    QuotaCounter quotaCounter(QuotaLedger ledger, @Value("${REDIS_HOST:}") String redisHost,
                              @Value("${catalytic.redis.key-prefix:clc:}") String prefix,
                              ObjectProvider<StringRedisTemplate> redis) {
        return new QuotaCounter(ledger, redisHost.isBlank() ? null : redis.getObject(), prefix);
    }

    @Bean
    UsageJournal usageJournal(EventBus eventBus, TransactionManager transactions, QuotaLedger ledger,
                              QuotaCounter counter,
                              @Value("${catalytic.metering.max-batch:500}") int maxBatch,
                              @Value("${catalytic.metering.queue-capacity:20000}") int capacity) {
        return new UsageJournal(eventBus, transactions, ledger, counter, maxBatch, capacity);
    }
}
