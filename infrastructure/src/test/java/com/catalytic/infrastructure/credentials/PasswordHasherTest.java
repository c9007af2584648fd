package com.catalytic.infrastructure.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.catalytic.api.error.DomainException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.password.PasswordEncoder;

class PasswordHasherTest {

    /** An encoder whose calls block until released, counting how many run at once. */
    static final class GatedEncoder implements PasswordEncoder {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        final AtomicInteger entered = new AtomicInteger();
        volatile boolean fail;

        @Override
        public String encode(CharSequence raw) {
            return "hash:" + run(raw);
        }

        @Override
        public boolean matches(CharSequence raw, String encoded) {
            return encoded.equals("hash:" + run(raw));
        }

        private CharSequence run(CharSequence raw) {
            entered.incrementAndGet();
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                if (fail) {
                    throw new IllegalStateException("hash failed");
                }
                assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
                return raw;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                running.decrementAndGet();
            }
        }
    }

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void atMostTheConfiguredNumberOfHashesRunAtOnceAndTheOthersWaitTheirTurn() throws Exception {
        GatedEncoder gated = new GatedEncoder();
        PasswordHasher hasher = new PasswordHasher(gated, 2, Duration.ofSeconds(30));
        List<Future<Boolean>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(pool.submit(() -> hasher.matches("secret", "hash:secret")));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> gated.entered.get() == 2);
        // the other four are queued on the permits, not inside the encoder
        await().atMost(Duration.ofSeconds(10)).until(() -> hasher.queued() == 4);
        assertThat(gated.entered.get()).isEqualTo(2);

        gated.release.countDown();
        for (Future<Boolean> call : calls) {
            assertThat(call.get(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(gated.entered.get()).isEqualTo(6);
        assertThat(gated.mostAtOnce.get()).isEqualTo(2);
        assertThat(hasher.peakConcurrency()).isEqualTo(2);
        assertThat(hasher.checks()).isEqualTo(6);
        assertThat(hasher.refused()).isZero();
    }

    @Test
    void aCallerThatWaitsLongerThanAllowedIsToldBusyWithRetryAfter() throws Exception {
        GatedEncoder gated = new GatedEncoder();
        PasswordHasher hasher = new PasswordHasher(gated, 1, Duration.ofMillis(200));
        Future<String> holder = pool.submit(() -> hasher.encode("first"));
        await().atMost(Duration.ofSeconds(10)).until(() -> gated.entered.get() == 1);

        assertThatThrownBy(() -> hasher.matches("second", "hash:second"))
                .isInstanceOfSatisfying(DomainException.class, e -> {
                    assertThat(e.kind()).isEqualTo(DomainException.Kind.UNAVAILABLE);
                    assertThat(e.code()).isEqualTo("busy");
                    assertThat(e.retryAfterSeconds()).isEqualTo(1L);
                });
        assertThat(hasher.refused()).isEqualTo(1);
        assertThat(gated.entered.get()).as("the refused call never reached the encoder").isEqualTo(1);

        // positive control: once the permit is free, the next call runs
        gated.release.countDown();
        assertThat(holder.get(30, TimeUnit.SECONDS)).isEqualTo("hash:first");
        assertThat(hasher.matches("third", "hash:third")).isTrue();
        assertThat(hasher.hashes()).isEqualTo(1);
        assertThat(hasher.checks()).isEqualTo(1);
    }

    @Test
    void aFailedHashGivesItsPermitBack() {
        GatedEncoder gated = new GatedEncoder();
        gated.release.countDown();
        PasswordHasher hasher = new PasswordHasher(gated, 1, Duration.ZERO);
        gated.fail = true;
        assertThatThrownBy(() -> hasher.encode("x")).isInstanceOf(IllegalStateException.class);
        gated.fail = false;
        assertThat(hasher.encode("y")).isEqualTo("hash:y");
        assertThat(hasher.hashes()).isEqualTo(1);
        assertThat(hasher.refused()).isZero();
    }

    @Test
    void countsArePublishedAsMetrics() {
        GatedEncoder gated = new GatedEncoder();
        gated.release.countDown();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        PasswordHasher hasher = new PasswordHasher(gated, 1, Duration.ZERO).bindTo(meters);
        hasher.encode("a");
        hasher.matches("a", "hash:a");
        hasher.matches("b", "hash:a");
        assertThat(meters.get("catalytic.auth.password_hashing").tag("outcome", "hashed").functionCounter().count())
                .isEqualTo(1.0);
        assertThat(meters.get("catalytic.auth.password_hashing").tag("outcome", "checked").functionCounter().count())
                .isEqualTo(2.0);
        assertThat(meters.get("catalytic.auth.password_hashing").tag("outcome", "busy").functionCounter().count())
                .isZero();
        assertThat(meters.get("catalytic.auth.password_hashing.in_flight").gauge().value()).isZero();
    }

    @Test
    void needsAtLeastOnePermit() {
        assertThatThrownBy(() -> new PasswordHasher(new GatedEncoder(), 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
