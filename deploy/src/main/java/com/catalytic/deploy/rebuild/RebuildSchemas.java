package com.catalytic.deploy.rebuild;

import com.catalytic.projections.StoreLoad;
import com.catalytic.projections.StoredPayloads;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The schemas of a rebuild, beside the live one: the target schema with fresh projection tables (the projections
 * module's migrations, non-unique indexes deferred until the tables are filled), and the atomic swap that moves the
 * live tables out and the new ones in. All of it on one connection, open until {@link #close}.
 */
final class RebuildSchemas implements AutoCloseable {

    /** Where the projections module keeps its migrations: they create every projection table. */
    private static final String PROJECTION_MIGRATIONS = "classpath:db/migration/projections";

    /** What runs while appends are held, before the swap: the replay of the events stored meanwhile. */
    interface CatchUp {
        void run() throws Exception;
    }

    private final SingleConnectionDataSource live;

    RebuildSchemas(Database database) {
        this.live = database.singleConnection();
    }

    /** The schema the database URL points at: where the event store and the live tables are. */
    String liveSchema() throws SQLException {
        try (Connection c = live.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_schema()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Creates the schema with every projection table in it, empty. */
    void create(String schema) throws SQLException {
        execute("CREATE SCHEMA " + schema);
        Flyway.configure().dataSource(live).schemas(schema).locations(PROJECTION_MIGRATIONS).load().migrate();
    }

    void drop(String schema) throws SQLException {
        execute("DROP SCHEMA " + schema + " CASCADE");
    }

    void dropIfExists(String schema) throws SQLException {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    /**
     * Drops the non-unique indexes of these tables in the schema (the projections look rows up by primary key only,
     * and unique indexes stay, so constraints hold during the replay) and returns their definitions.
     */
    List<String> dropSecondaryIndexes(String schema, List<String> tables) throws SQLException {
        List<String> definitions = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (Connection c = live.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT i.relname, "
                + "pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                + "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
                + "WHERE n.nspname = ? AND t.relname = ANY (?) AND NOT x.indisunique AND NOT x.indisprimary "
                + "ORDER BY i.relname")) {
            ps.setString(1, schema);
            ps.setArray(2, c.createArrayOf("text", tables.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                    definitions.add(rs.getString(2));
                }
            }
            try (Statement s = c.createStatement()) {
                for (String name : names) {
                    s.execute("DROP INDEX " + schema + ".\"" + name + "\"");
                }
            }
        }
        return definitions;
    }

    /** Builds the deferred indexes (PostgreSQL sorts a large one with parallel workers). */
    void createIndexes(List<String> definitions) throws SQLException {
        try (Connection c = live.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET maintenance_work_mem = '256MB'");
            for (String definition : definitions) {
                s.execute(definition);
            }
        }
    }

    /**
     * Fills tables with the projections' own loads from the event store, seeing the replay's {@code snapshot} of it,
     * with the rebuild schema first in the search path, then builds their non-unique {@code indexes}; returns the rows
     * written. On this connection (idle during the replay) alone, in one transaction; with a {@code helper}
     * connection, the inserts are split in two halves of the positions, one on each connection, and the loads'
     * finish (keys, sums) runs on the helper while the indexes are built here: the database's share of a rebuild is
     * mostly this load, and one connection keeps PostgreSQL on one core.
     */
    long loadFromStore(String snapshot, List<String> searchPath, List<StoreLoad> loads,
                       StoredPayloads stored, long last, String asOf, List<String> indexes,
                       DataSource helper) throws Exception {
        if (!snapshot.matches("[0-9A-F-]+")) {
            throw new IllegalArgumentException("not a snapshot name: " + snapshot);
        }
        if (helper == null) {
            long rows = inTransaction(live, snapshot, searchPath, c -> {
                long n = 0;
                for (StoreLoad load : loads) {
                    n += load.load(c, stored, last, asOf);
                }
                return n;
            });
            createIndexes(indexes);
            return rows;
        }
        long middle = inTransaction(live, null, searchPath, c -> {
            for (StoreLoad load : loads) {
                load.prepare(c);
            }
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT min(global_index) FROM domain_event_entry")) {
                rs.next();
                return rs.getLong(1) + (last - rs.getLong(1)) / 2;
            }
        });
        FutureTask<Long> upper = Background.start("rebuild-database-load-2", () -> inTransaction(helper, snapshot,
                searchPath, c -> insert(c, loads, stored, middle, last, asOf)));
        long rows = alongside(upper, () -> inTransaction(live, snapshot, searchPath,
                c -> insert(c, loads, stored, Long.MIN_VALUE, middle, asOf)));
        FutureTask<Long> finishing = Background.start("rebuild-database-finish", () -> inTransaction(helper, null,
                searchPath, c -> {
                    long removed = 0;
                    for (StoreLoad load : loads) {
                        removed += load.finish(c);
                    }
                    return removed;
                }));
        alongside(finishing, () -> {
            createIndexes(indexes);
            return 0L;
        });
        return rows - Background.await(finishing);
    }

    private static long insert(Connection c, List<StoreLoad> loads, StoredPayloads stored,
                               long after, long upTo, String asOf) throws SQLException {
        long rows = 0;
        for (StoreLoad load : loads) {
            rows += load.insert(c, stored, after, upTo, asOf);
        }
        return rows;
    }

    /** Does {@code work} here while {@code other} runs, and waits for both: nothing is left running on a failure. */
    private static long alongside(FutureTask<Long> other, Callable<Long> work) throws Exception {
        long done;
        try {
            done = work.call();
        } catch (Exception e) {
            try {
                Background.await(other);
            } catch (Exception otherFailure) {
                e.addSuppressed(otherFailure);
            }
            throw e;
        }
        return done + Background.await(other);
    }

    /** What a transaction of a load does. */
    private interface Work {
        long run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction on a connection of {@code source}, with this search path and, when given,
     * in repeatable read on the exported {@code snapshot}.
     */
    private static long inTransaction(DataSource source, String snapshot, List<String> searchPath, Work work)
            throws SQLException {
        try (Connection c = source.getConnection()) {
            c.setAutoCommit(false);
            if (snapshot != null) {
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            }
            try (Statement s = c.createStatement()) {
                if (snapshot != null) {
                    s.execute("SET TRANSACTION SNAPSHOT '" + snapshot + "'");
                }
                s.execute("SET LOCAL search_path TO " + String.join(", ",
                        searchPath.stream().map(schema -> "\"" + schema + "\"").toList()));
                // as the rebuild's other writes: a crash loses the unfinished rebuild schema anyway
                s.execute("SET LOCAL synchronous_commit = off");
                // the keys and sums a load builds at its end sort and group in memory: the roll-ups of a sparse
                // history group nearly a row per call, which spilled to disk with 64 MB (2.6 s against 2.1 s alone)
                s.execute("SET LOCAL maintenance_work_mem = '256MB'");
                s.execute("SET LOCAL work_mem = '256MB'");
                long result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
        }
    }

    /**
     * Holds appends for the catch-up and the swap, so no event falls between old and new tables, and moves the live
     * tables into schema {@code old} and the target's in, in one transaction. Then drops the emptied target schema,
     * and {@code old} too unless it is to be kept.
     */
    void swapIn(String liveSchema, String target, List<String> tables, CatchUp catchUp, String old, boolean keepOld)
            throws Exception {
        try (Connection c = live.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("LOCK TABLE " + liveSchema + ".domain_event_entry IN EXCLUSIVE MODE");
                catchUp.run();
                s.execute("CREATE SCHEMA " + old);
                for (String table : tables) {
                    s.execute("ALTER TABLE " + liveSchema + "." + table + " SET SCHEMA " + old);
                    s.execute("ALTER TABLE " + target + "." + table + " SET SCHEMA " + liveSchema);
                }
                c.commit();
            } catch (Exception e) {
                c.rollback();
                throw e;
            } finally {
                // the drops below commit each (left in a transaction, they were rolled back at close)
                c.setAutoCommit(true);
            }
        }
        if (!keepOld) {
            drop(old);
        }
        drop(target);
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = live.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public void close() {
        live.destroy();
    }
}
