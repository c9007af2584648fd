package com.catalytic.deploy.health;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The connection pool behind the {@link DatabaseAvailability} breaker: while it is open a connection is refused at
 * once; a connection that cannot be had opens it. Also notes, per thread, whether a connection was handed out since
 * {@link #beginWork()}: a request refused before it had one changed nothing.
 */
public final class GuardedDataSource extends DelegatingDataSource {

    private static final ThreadLocal<Boolean> HANDED_OUT = ThreadLocal.withInitial(() -> false);

    private final DatabaseAvailability availability;

    public GuardedDataSource(DataSource pool, DatabaseAvailability availability) {
        super(pool);
        this.availability = availability;
        availability.guard(pool);
    }

    /** A request starts on this thread: nothing handed out to it yet. */
    public static void beginWork() {
        HANDED_OUT.set(false);
    }

    /** Whether this thread was handed a connection since {@link #beginWork()}. */
    public static boolean connectionHandedOut() {
        return HANDED_OUT.get();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return guarded(super::getConnection);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return guarded(() -> super.getConnection(username, password));
    }

    private interface Acquisition {
        Connection get() throws SQLException;
    }

    private Connection guarded(Acquisition acquisition) throws SQLException {
        if (!availability.isUp()) {
            throw availability.unavailable();
        }
        try {
            Connection c = acquisition.get();
            HANDED_OUT.set(true);
            return c;
        } catch (SQLException e) {
            if (DatabaseFailures.isUnavailable(e)) {
                availability.failed(e);
            }
            throw e;
        }
    }
}
