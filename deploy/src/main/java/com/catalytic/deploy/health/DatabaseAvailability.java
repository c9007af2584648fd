package com.catalytic.deploy.health;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database answers, as the service last found out: a circuit breaker in front of the connection pool.
 * Once a connection fails (refused, broken, or the pool's wait runs out), every request that needs the database is
 * refused at once ({@link DatabaseUnavailable}, answered 503 {@code database_unavailable} with {@code Retry-After})
 * instead of each waiting for the pool's timeout; a background probe asks the database every
 * {@code probeInterval} and closes the breaker as soon as it answers, without a restart.
 */
public final class DatabaseAvailability implements AutoCloseable {

    /** What a request gets while the breaker is open: nothing was sent to the database. */
    public static final class DatabaseUnavailable extends SQLTransientConnectionException {
        DatabaseUnavailable(String message) {
            super(message, "08001");
        }
    }

    private static final Logger log = LoggerFactory.getLogger(DatabaseAvailability.class);

    private final Duration probeInterval;
    private final ScheduledExecutorService prober;
    private volatile DataSource pool;
    /** {@link System#nanoTime()} when the breaker opened; 0 while closed. */
    private volatile long downSince;
    private volatile String cause = "";

    public DatabaseAvailability(Duration probeInterval) {
        this.probeInterval = probeInterval;
        this.prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "database-probe");
            t.setDaemon(true);
            return t;
        });
    }

    /** The pool the probe asks (the one this breaker guards). */
    void guard(DataSource pool) {
        this.pool = pool;
    }

    public boolean isUp() {
        return downSince == 0;
    }

    /** Seconds a client should wait before retrying while the database is away. */
    public long retryAfterSeconds() {
        return Math.max(1, (probeInterval.toMillis() * 2 + 999) / 1000);
    }

    DatabaseUnavailable unavailable() {
        return new DatabaseUnavailable("the database is unavailable (since "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - downSince) + " ms: " + cause + ")");
    }

    /** A connection failed: the breaker opens (once) and the probe starts asking. */
    public void failed(Throwable failure) {
        synchronized (this) {
            if (downSince != 0) {
                return;
            }
            downSince = Math.max(1, System.nanoTime());
            cause = DatabaseFailures.describe(failure);
        }
        log.error("Database unavailable: {}. Requests that need it are answered 503 at once until it answers "
                + "again (asked every {} ms)", cause, probeInterval.toMillis());
        // asked again at once: one connection that broke on its own (the database is fine) closes the breaker
        // within milliseconds, not after an interval of refusals
        prober.execute(this::probe);
    }

    private void probe() {
        DataSource ds = pool;
        try (Connection c = ds.getConnection()) {
            if (c.isValid(1)) {
                long down = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - downSince);
                downSince = 0;
                log.warn("Database available again after {} ms", down);
                return;
            }
        } catch (SQLException | RuntimeException e) {
            cause = DatabaseFailures.describe(e);
        }
        prober.schedule(this::probe, probeInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        prober.shutdownNow();
    }
}
