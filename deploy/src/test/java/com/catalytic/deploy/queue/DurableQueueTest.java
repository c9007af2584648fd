package com.catalytic.deploy.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.queue.DurableQueue;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The write side's one durable queue on PostgreSQL: claims held while work goes on, handed on when a node stops. */
class DurableQueueTest {

    static final String SCHEMA = TestApp.newSchema();
    /** Extended every second while work goes on. */
    static final Duration CLAIM = Duration.ofSeconds(3);
    static JdbcTemplate jdbc;

    @BeforeAll
    static void schema() {
        DriverManagerDataSource ds = new DriverManagerDataSource(TestApp.pgUrl(), TestApp.pgUser(), "");
        jdbc = new JdbcTemplate(ds);
        jdbc.execute("CREATE SCHEMA " + SCHEMA);
        jdbc.execute("CREATE TABLE " + SCHEMA + ".work (id VARCHAR(64) PRIMARY KEY, done BOOLEAN NOT NULL, "
                + "next_attempt_at TIMESTAMP WITH TIME ZONE, claimed_by VARCHAR(64), "
                + "claimed_until TIMESTAMP WITH TIME ZONE)");
    }

    @AfterAll
    static void drop() {
        jdbc.execute("DROP SCHEMA " + SCHEMA + " CASCADE");
    }

    static DurableQueue queue(Duration claim, DurableQueue.Worker worker) {
        return new DurableQueue("test", jdbc, Clock.systemUTC(), SCHEMA + ".work", "NOT done", claim, Duration.ZERO,
                10, 2, worker);
    }

    static Instant claimedUntil(String id) {
        return jdbc.queryForObject("SELECT claimed_until FROM " + SCHEMA + ".work WHERE id = ?", Timestamp.class, id)
                .toInstant();
    }

    @Test
    void aClaimIsExtendedWhileItsWorkGoesOnAndHandedOnOnceItIsNoLongerExtended() throws Exception {
        jdbc.update("INSERT INTO " + SCHEMA + ".work (id, done, next_attempt_at) VALUES ('slow', false, now())");
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // the work neither finishes nor clears the claim (as when it throws): only the claim's expiry hands it on
        DurableQueue first = queue(CLAIM, ids -> id -> {
            started.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        });
        List<String> secondWorked = new CopyOnWriteArrayList<>();
        DurableQueue second = queue(CLAIM, ids -> id -> secondWorked.add(id));
        try {
            CompletableFuture<Integer> round = CompletableFuture.supplyAsync(first::dispatch);
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            Instant firstClaim = claimedUntil("slow");

            // past the first claim's end, the row is still claimed: the claim was extended
            await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(firstClaim.plusMillis(500)));
            assertThat(claimedUntil("slow")).isAfter(Instant.now());
            assertThat(second.dispatch()).isZero();
            assertThat(secondWorked).as("another node does not take work under way").isEmpty();

            // the round ends without clearing its claim: once it expires, another node takes the row
            release.countDown();
            assertThat(round.get(10, TimeUnit.SECONDS)).isZero();
            Instant lastClaim = claimedUntil("slow");
            await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(lastClaim));
            second.dispatch();
            assertThat(secondWorked).containsExactly("slow");
        } finally {
            release.countDown();
            first.close();
            second.close();
        }
    }

    @Test
    void claimsAreExtendedWhenManyShortRowsTogetherOutlastTheClaim() {
        for (int i = 0; i < 5; i++) {
            jdbc.update("INSERT INTO " + SCHEMA + ".work (id, done, next_attempt_at) VALUES (?, false, now())",
                    "short-" + i);
        }
        List<Boolean> stillClaimed = new CopyOnWriteArrayList<>();
        // one worker, five rows of 0.9 s each: 4.5 s in all against a 3 s claim, each row shorter than a beat
        DurableQueue one = new DurableQueue("test", jdbc, Clock.systemUTC(), SCHEMA + ".work",
                "NOT done AND id LIKE 'short-%'", CLAIM,
                Duration.ZERO, 10, 1, ids -> id -> {
                    stillClaimed.add(claimedUntil(id).isAfter(Instant.now()));
                    try {
                        Thread.sleep(900); // the work itself takes this long
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return jdbc.update("UPDATE " + SCHEMA + ".work SET done = true, claimed_by = NULL, "
                            + "claimed_until = NULL WHERE id = ?", id) == 1;
                });
        try {
            assertThat(one.dispatch()).isEqualTo(5);
        } finally {
            one.close();
        }
        assertThat(stillClaimed).as("each row still claimed when its work began").containsExactly(true, true, true,
                true, true);
    }
}
