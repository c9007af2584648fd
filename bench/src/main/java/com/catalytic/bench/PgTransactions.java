package com.catalytic.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Transactions committed in one database ({@code xact_commit} of {@code pg_stat_database}), read over a connection
 * to another database so that reading them adds none. A backend reports its counts when it exits, so a reading
 * first waits until no client is connected to the database.
 */
final class PgTransactions implements AutoCloseable {

    private final Connection connection;
    private final String database;

    private PgTransactions(Connection connection, String database) {
        this.connection = connection;
        this.database = database;
    }

    /** @param url a JDBC URL of another database on the same server (e.g. postgres) */
    static PgTransactions open(String url, String database) throws SQLException {
        return new PgTransactions(DriverManager.getConnection(url), database);
    }

    /** Commits so far, once every client of the database has disconnected. */
    long committed() throws SQLException, InterruptedException {
        awaitNoClients();
        return single("SELECT xact_commit FROM pg_stat_database WHERE datname = ?");
    }

    private void awaitNoClients() throws SQLException, InterruptedException {
        for (int i = 0; i < 600; i++) {
            if (single("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = ? AND backend_type = 'client backend'")
                    == 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("clients of " + database + " still connected after 30 s");
    }

    private long single(String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, database);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
