package com.catalytic.infrastructure.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A node's views of the shared quota count, against the Redis the tests use (127.0.0.1:6379, keys under a prefix of
 * their own): made by an exact read, advanced by the node's own calls, re-read with other nodes' calls, and not
 * answered once too old or when the count is gone.
 */
class QuotaCounterViewsTest {

    private static final String TENANT = "t1";
    private static final String PERIOD = "2026-12";

    private final String prefix = "test:views:" + UUID.randomUUID() + ":";
    private final String key = prefix + "quota:" + TENANT + ":" + PERIOD;
    private LettuceConnectionFactory connections;
    private StringRedisTemplate redis;
    private QuotaCounter counter;

    @BeforeEach
    void start() {
        connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 6379));
        connections.afterPropertiesSet();
        connections.start();
        redis = new StringRedisTemplate(connections);
        // refreshed by hand below (the background refresh waits an hour); views answer for 300 ms
        counter = new QuotaCounter(new QuotaLedger(null), redis, prefix, Duration.ofMillis(5), Duration.ofHours(1),
                Duration.ofMillis(300));
        counter.start();
    }

    @AfterEach
    void stop() {
        counter.stop();
        redis.delete(key);
        connections.destroy();
    }

    @Test
    void anExactReadMakesAViewThatTheNodesOwnCallsAdvance() {
        assertThat(counter.recent(TENANT, PERIOD)).as("no view before a read").isNull();
        redis.opsForValue().set(key, "100");

        assertThat(counter.used(TENANT, PERIOD)).isEqualTo(100);
        assertThat(counter.recent(TENANT, PERIOD)).isEqualTo(100);

        counter.added(TENANT, PERIOD, 3);
        assertThat(counter.recent(TENANT, PERIOD)).isEqualTo(103);
    }

    @Test
    void aRefreshTakesInOtherNodesCallsWithoutCountingTheNodesOwnTwice() {
        redis.opsForValue().set(key, "100");
        counter.used(TENANT, PERIOD);
        counter.added(TENANT, PERIOD, 3);
        counter.flushIncrements(); // the node's 3 calls reach the shared count: 103
        redis.opsForValue().increment(key, 50); // another node's calls: 153

        counter.refreshViews();

        assertThat(counter.recent(TENANT, PERIOD)).isEqualTo(153);
    }

    @Test
    void aViewIsNotAnsweredOnceTooOld() {
        redis.opsForValue().set(key, "100");
        counter.used(TENANT, PERIOD);
        assertThat(counter.recent(TENANT, PERIOD)).isEqualTo(100);

        await().atMost(Duration.ofSeconds(5)).until(() -> counter.recent(TENANT, PERIOD) == null);

        counter.refreshViews(); // a fresh read makes it answer again
        assertThat(counter.recent(TENANT, PERIOD)).isEqualTo(100);
    }

    @Test
    void aViewWhoseCountIsGoneFromRedisIsDropped() {
        redis.opsForValue().set(key, "100");
        counter.used(TENANT, PERIOD);
        assertThat(counter.recent(TENANT, PERIOD)).isEqualTo(100);

        redis.delete(key); // expired, or dropped as stale after a failure: the ledger must be read again
        counter.refreshViews();

        assertThat(counter.recent(TENANT, PERIOD)).isNull();
    }
}
