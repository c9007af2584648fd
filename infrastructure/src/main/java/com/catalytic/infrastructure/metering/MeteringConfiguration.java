package com.catalytic.infrastructure.metering;

import com.catalytic.infrastructure.metering.UsageShipper.Settings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.EventBus;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

@Configuration
class MeteringConfiguration {

    /**
     * Redis token buckets when {@code REDIS_HOST} is set (leased to busy nodes in small batches; per-node buckets
     * while Redis is down); in process otherwise.
     */
    @Bean
    RateLimiter rateLimiter(@Value("${REDIS_HOST:}") String redisHost,
                            @Value("${catalytic.redis.key-prefix:clc:}") String prefix,
                            @Value("${catalytic.rate-limit.expected-nodes:1}") int expectedNodes,
                            @Value("${catalytic.rate-limit.lease-ms:1000}") long leaseMillis,
                            @Value("${catalytic.rate-limit.max-lease:200}") int maxLease,
                            @Value("${catalytic.rate-limit.lease-divisor:20}") int leaseDivisor,
                            ObjectProvider<StringRedisTemplate> redis, Clock clock) {
        if (redisHost.isBlank()) {
            return new TokenBuckets(clock, 1);
        }
        return new ResilientRateLimiter(
                new RedisRateLimiter(redis.getObject(), prefix, leaseMillis, maxLease, leaseDivisor,
                        System::nanoTime),
                new TokenBuckets(clock, expectedNodes), clock);
    }

    @Bean
    QuotaCounter quotaCounter(QuotaLedger ledger, @Value("${REDIS_HOST:}") String redisHost,
                              @Value("${catalytic.redis.key-prefix:clc:}") String prefix,
                              @Value("${catalytic.metering.quota-count-gather:20ms}") Duration gather,
                              ObjectProvider<StringRedisTemplate> redis) {
        return new QuotaCounter(ledger, redisHost.isBlank() ? null : redis.getObject(), prefix, gather);
    }

    /**
     * {@code catalytic.metering.journal=local} (the default): calls are durable in the node's journal file under
     * {@code catalytic.metering.journal-dir} before they are answered and shipped to the event store in batches;
     * {@code database}: every group of calls is committed to the event store before they are answered.
     */
    @Bean
    UsageShipper usageShipper(EventBus eventBus, TransactionManager transactions, JdbcTemplate jdbc,
                              QuotaLedger ledger, QuotaCounter counter, MeterRegistry meters,
                              @Value("${catalytic.metering.journal:local}") String mode,
                              @Value("${catalytic.metering.journal-dir:${CATALYTIC_DATA_DIR:./data}/usage-journal}")
                              String dir,
                              @Value("${catalytic.metering.max-batch:500}") int maxBatch,
                              @Value("${catalytic.metering.queue-capacity:20000}") int capacity,
                              @Value("${catalytic.metering.max-shipment:5000}") int maxShipment,
                              @Value("${catalytic.metering.max-backlog:1000000}") long maxBacklog,
                              @Value("${catalytic.metering.max-in-memory:100000}") long maxInMemory,
                              @Value("${catalytic.metering.ship-linger:50ms}") Duration linger,
                              @Value("${catalytic.metering.ship-linger-busy:1s}") Duration busyLinger,
                              @Value("${catalytic.metering.ship-busy-rate:1000}") long busyRate) {
        UsageJournal log = switch (mode) {
            case "local" -> new UsageJournal(Path.of(dir));
            case "database" -> null;
            default -> throw new IllegalArgumentException(
                    "catalytic.metering.journal must be local or database, not " + mode);
        };
        UsageShipper journal = new UsageShipper(eventBus, transactions, jdbc, ledger, counter, log,
                new Settings(maxBatch, capacity, maxShipment, maxBacklog, maxInMemory, linger,
                        busyLinger, busyRate));
        Gauge.builder("catalytic.usage.journal.backlog", journal, UsageShipper::backlog)
                .description("metered calls durable in this node's usage journal, not yet in the event store")
                .register(meters);
        Gauge.builder("catalytic.usage.journal.in-memory", journal, UsageShipper::inMemory)
                .description("of the backlog, the calls held in memory too (at most catalytic.metering.max-in-memory)")
                .register(meters);
        return journal;
    }
}
