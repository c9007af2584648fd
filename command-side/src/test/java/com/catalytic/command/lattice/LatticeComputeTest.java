package com.catalytic.command.lattice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.error.DomainException.Kind;
import com.catalytic.command.lattice.engine.ComputeCancelledException;
import com.catalytic.command.lattice.engine.SearchLimitExceededException;
import com.catalytic.command.lattice.engine.TooLargeToAnalyzeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The compute executor: per-tenant cap, time budget that really stops the work, engine errors as problems. */
class LatticeComputeTest {

    private LatticeCompute compute;

    @AfterEach
    void stop() {
        if (compute != null) {
            compute.close();
        }
    }

    @Test
    void aTenantAtItsCapIsBusyWhileAnotherTenantStillComputes() throws Exception {
        compute = new LatticeCompute(4, 8, 2, Duration.ofSeconds(30));
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> compute.run("a", c -> block(started, release)));
        CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> compute.run("a", c -> block(started, release)));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(compute.runningFor("a")).isEqualTo(2);

        assertThatThrownBy(() -> compute.run("a", c -> "third"))
                .isInstanceOfSatisfying(DomainException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.TOO_MANY_REQUESTS);
                    assertThat(e.code()).isEqualTo("compute_busy");
                    assertThat(e.retryAfterSeconds()).isEqualTo(1L);
                });
        assertThat(compute.<String>run("b", c -> "other tenant")).isEqualTo("other tenant");

        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(compute.runningFor("a")).isZero();
        assertThat(compute.<String>run("a", c -> "again")).isEqualTo("again");
    }

    @Test
    void pastItsBudgetTheWorkIsStoppedItsThreadFreedAndTheCallerToldTimeout() throws Exception {
        compute = new LatticeCompute(1, 1, 2, Duration.ofMillis(200));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch workerStopped = new CountDownLatch(1);
        AtomicReference<Throwable> stoppedBy = new AtomicReference<>();

        assertThatThrownBy(() -> compute.run("a", cancellation -> {
            running.countDown();
            try {
                while (true) {
                    cancellation.check(); // the engine's loop: only the deadline or an interrupt ends it
                }
            } catch (RuntimeException e) {
                stoppedBy.set(e);
                throw e;
            } finally {
                workerStopped.countDown();
            }
        })).isInstanceOfSatisfying(DomainException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
            assertThat(e.code()).isEqualTo("compute_timeout");
        });

        assertThat(running.getCount()).isZero();
        assertThat(workerStopped.await(10, TimeUnit.SECONDS)).as("the worker left its loop").isTrue();
        assertThat(stoppedBy.get()).isInstanceOf(ComputeCancelledException.class);
        // the only thread is free again, and the tenant's slot with it
        assertThat(compute.<String>run("a", c -> "next")).isEqualTo("next");
        assertThat(compute.runningFor("a")).isZero();
    }

    @Test
    void workThatIgnoresTheDeadlineIsInterrupted() throws Exception {
        compute = new LatticeCompute(1, 1, 2, Duration.ofMillis(100));
        CountDownLatch workerStopped = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        AtomicReference<Throwable> stoppedBy = new AtomicReference<>();

        assertThatThrownBy(() -> compute.run("a", c -> {
            try {
                never.await(); // blocked, not polling: only the interrupt reaches it
                return "unreachable";
            } catch (InterruptedException e) {
                stoppedBy.set(e);
                return "interrupted";
            } finally {
                workerStopped.countDown();
            }
        })).isInstanceOfSatisfying(DomainException.class, e -> assertThat(e.code()).isEqualTo("compute_timeout"));

        assertThat(workerStopped.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(stoppedBy.get()).isInstanceOf(InterruptedException.class);
        assertThat(compute.<String>run("a", c -> "next")).isEqualTo("next");
    }

    @Test
    void workWaitingBeyondTheQueueIsBusyAndWaitingWorkGivesItsSlotBackWhenItTimesOut() throws Exception {
        compute = new LatticeCompute(1, 1, 5, Duration.ofMillis(500));
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> holding = CompletableFuture.supplyAsync(() -> compute.run("a", c -> {
            started.countDown();
            awaitUninterruptibly(release); // keeps the only thread until the test lets go
            return "held";
        }));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<String> queued = CompletableFuture.supplyAsync(() -> compute.run("b", c -> "queued"));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2)).until(() -> compute.queued() == 1);

        assertThatThrownBy(() -> compute.run("c", c -> "no room"))
                .isInstanceOfSatisfying(DomainException.class, e -> assertThat(e.code()).isEqualTo("compute_busy"));
        assertThat(queued).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                .havingRootCause().isInstanceOfSatisfying(DomainException.class,
                        e -> assertThat(e.code()).isEqualTo("compute_timeout"));
        assertThat(compute.runningFor("b")).as("the queued work never ran, and gave its slot back").isZero();
        assertThat(compute.queued()).as("nor does it keep its place in the queue").isZero();
        assertThat(compute.runningFor("a")).as("the holding work still runs, so its slot is still taken").isOne();

        release.countDown();
        assertThat(holding).failsWithin(Duration.ofSeconds(10)); // its caller was answered at the budget
        await().atMost(Duration.ofSeconds(10)).until(() -> compute.runningFor("a") == 0);
        assertThat(compute.<String>run("c", c -> "room again")).isEqualTo("room again");
    }

    @Test
    void theEnginesLimitsBecomeProblemsNamingTheLimit() {
        compute = new LatticeCompute(1, 1, 2, Duration.ofSeconds(30));
        assertThatThrownBy(() -> compute.run("a", c -> {
            throw new TooLargeToAnalyzeException(1000);
        })).isInstanceOfSatisfying(DomainException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.VALIDATION);
            assertThat(e.code()).isEqualTo("too_large_to_analyze");
            assertThat(e.details()).containsEntry("limit", 1000L);
        });
        assertThatThrownBy(() -> compute.run("a", c -> {
            throw new SearchLimitExceededException(500);
        })).isInstanceOfSatisfying(DomainException.class, e -> {
            assertThat(e.code()).isEqualTo("search_limit");
            assertThat(e.details()).containsEntry("limit", 500L);
        });
        assertThatThrownBy(() -> compute.run("a", c -> {
            throw new IllegalStateException("a bug");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(compute.runningFor("a")).isZero();
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (latch.getCount() > 0) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static String block(CountDownLatch started, CountDownLatch release) {
        started.countDown();
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ComputeCancelledException("interrupted");
        }
        return "done";
    }
}
