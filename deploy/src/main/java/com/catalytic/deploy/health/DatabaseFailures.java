package com.catalytic.deploy.health;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/** Which failures mean the database could not be reached (as opposed to a fault in a statement or in the code). */
public final class DatabaseFailures {

    private DatabaseFailures() {
    }

    /**
     * Anywhere in the cause chain: a connection that could not be had or broke (SQLState class 08, the server
     * shutting down or starting: 57P01-57P03). Only SQL failures count: Spring calls a Redis outage a resource
     * failure too, and that must not stop the database's users.
     */
    public static boolean isUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().matches("57P0[123]"))) {
                return true;
            }
        }
        return false;
    }

    /** The failure as the database's driver reported it (the innermost SQL error and its SQLState), not a wrapper. */
    static String describe(Throwable failure) {
        SQLException innermost = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                innermost = sql;
            }
        }
        return innermost == null ? failure.toString()
                : innermost.getClass().getSimpleName() + ": " + innermost.getMessage() + " (SQLState "
                        + innermost.getSQLState() + ")";
    }
}
