package com.catalytic.infrastructure.credentials;

import com.catalytic.api.error.DomainException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Every password hash and check of the system (sign-up, login, adding a user with a password, accepting an
 * invitation, resetting a password) goes through this encoder. Argon2id takes 16 MiB and a core for each call, so
 * at most {@code maxConcurrent} run at once: heap and CPU stay bounded whatever arrives. A caller waits up to
 * {@code maxWait} for its turn (first come, first served), then gets 503 {@code busy} with {@code Retry-After}.
 */
public class PasswordHasher implements PasswordEncoder {

    static final long RETRY_AFTER_SECONDS = 1;

    private final PasswordEncoder delegate;
    private final Semaphore permits;
    private final int maxConcurrent;
    private final long maxWaitNanos;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicLong hashes = new AtomicLong();
    private final AtomicLong checks = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    public PasswordHasher(PasswordEncoder delegate, int maxConcurrent, Duration maxWait) {
        if (maxConcurrent < 1 || maxWait.isNegative()) {
            throw new IllegalArgumentException("password hashing needs at least one permit and a wait of zero or more");
        }
        this.delegate = delegate;
        this.maxConcurrent = maxConcurrent;
        this.permits = new Semaphore(maxConcurrent, true);
        this.maxWaitNanos = maxWait.toNanos();
    }

    /** Publishes the counts as {@code catalytic.auth.password_hashing} (by outcome), the calls running and waiting. */
    public PasswordHasher bindTo(MeterRegistry meters) {
        FunctionCounter.builder("catalytic.auth.password_hashing", hashes, AtomicLong::get)
                .tag("outcome", "hashed").register(meters);
        FunctionCounter.builder("catalytic.auth.password_hashing", checks, AtomicLong::get)
                .tag("outcome", "checked").register(meters);
        FunctionCounter.builder("catalytic.auth.password_hashing", refused, AtomicLong::get)
                .tag("outcome", "busy").register(meters);
        Gauge.builder("catalytic.auth.password_hashing.in_flight", inFlight, AtomicInteger::get).register(meters);
        Gauge.builder("catalytic.auth.password_hashing.waiting", permits, Semaphore::getQueueLength).register(meters);
        return this;
    }

    @Override
    public String encode(CharSequence rawPassword) {
        return bounded(() -> delegate.encode(rawPassword), hashes);
    }

    @Override
    public boolean matches(CharSequence rawPassword, String encodedPassword) {
        return bounded(() -> delegate.matches(rawPassword, encodedPassword), checks);
    }

    @Override
    public boolean upgradeEncoding(String encodedPassword) {
        return delegate.upgradeEncoding(encodedPassword);
    }

    /** How many hashes may run at once. */
    public int maxConcurrent() {
        return maxConcurrent;
    }

    /** Passwords checked against a stored hash since start. */
    public long checks() {
        return checks.get();
    }

    /** New hashes computed since start. */
    public long hashes() {
        return hashes.get();
    }

    /** Calls refused as busy since start. */
    public long refused() {
        return refused.get();
    }

    /** Callers waiting for their turn now (an estimate while it changes). */
    public int queued() {
        return permits.getQueueLength();
    }

    /** The most hashes that ran at the same moment since start. */
    public int peakConcurrency() {
        return peak.get();
    }

    private <T> T bounded(Supplier<T> work, AtomicLong done) {
        acquire();
        try {
            peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            T result = work.get();
            done.incrementAndGet();
            return result;
        } finally {
            inFlight.decrementAndGet();
            permits.release();
        }
    }

    private void acquire() {
        boolean acquired;
        try {
            acquired = permits.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            refused.incrementAndGet();
            throw new DomainException(DomainException.Kind.UNAVAILABLE, "busy",
                    "the service is busy; try again shortly", null, RETRY_AFTER_SECONDS);
        }
    }
}
