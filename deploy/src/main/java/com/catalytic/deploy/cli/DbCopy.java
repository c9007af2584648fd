package com.catalytic.deploy.cli;

import com.catalytic.deploy.config.DatabaseUrl;
import com.catalytic.deploy.config.RuntimeEnvironment;
import com.catalytic.deploy.rebuild.ProjectionRebuilder;
import com.catalytic.infrastructure.personal.PersonalDataConfiguration;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Blob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Moves an embedded installation (the H2 file under the data directory) to PostgreSQL: the event store and every
 * table that is not derived from events are copied row by row, the projections are then rebuilt on PostgreSQL
 * from the copied events, and the one operational column of a derived table ({@code api_keys.last_used_at}) is
 * carried over. The source is only read. The target must be empty of events.
 */
final class DbCopy {

    /** Copied as they are, in this order: the event store, and what no event carries (docs/OPERATIONS.md §14). */
    static final List<String> COPIED = List.of("domain_event_entry", "snapshot_event_entry", "unique_claims",
            "subject_keys",
            "quota_ledger", "usage_shipping", "stripe_events", "mail_queue", "webhook_deliveries",
            "webhook_delivery_attempts", "webhook_health", "idempotency_keys", "audit_checkpoints", "dead_letter_entry", "saga_entry",
            "association_value_entry");
    private static final int BATCH = 500;

    private final Path dataDir;
    private final DatabaseUrl target;
    private final PrintStream out;

    DbCopy(Path dataDir, DatabaseUrl target, PrintStream out) {
        this.dataDir = dataDir;
        this.target = target;
        this.out = out;
    }

    /** What the copy would move, and the problems that would stop it; changes nothing. Returns the problems. */
    List<String> dryRun() throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Connection source = openSource()) {
            out.println("source: embedded database " + embeddedFile());
            for (String table : COPIED) {
                out.println("  " + table + ": " + (exists(source, table) ? count(source, table) + " rows"
                        : "(no such table: nothing to copy)"));
            }
            out.println("  then rebuilt on the target from the events: every projection; api_keys.last_used_at of "
                    + count(source, "api_keys") + " keys carried over");
        } catch (SQLException e) {
            problems.add(sourceProblem(e));
        }
        try (Connection t = openTarget()) {
            out.println("target: " + target);
            if (exists(t, "domain_event_entry") && count(t, "domain_event_entry") > 0) {
                problems.add("the target already holds " + count(t, "domain_event_entry")
                        + " events: db copy only fills an empty database");
            }
        } catch (SQLException e) {
            problems.add("cannot connect to the target " + target + ": " + e.getMessage());
        }
        return problems;
    }

    /** Copies, rebuilds and checks; throws with a clear message on any problem (the target may then be dropped). */
    void copy(boolean backup) throws Exception {
        List<String> problems = dryRun();
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join("; ", problems));
        }
        if (backup) {
            Path copy = Backups.copyEmbedded(embeddedFile(), dataDir, "db-copy", Backups.stamp());
            out.println("backup of the embedded database: " + copy);
        }
        out.println("migrating the target");
        Flyway.configure().dataSource(target.jdbcUrl(), target.username(), target.password())
                .locations(RuntimeEnvironment.MIGRATION_LOCATIONS.split(",")).load().migrate();
        Map<String, Long> copied = new LinkedHashMap<>();
        try (Connection source = openSource(); Connection t = openTarget()) {
            t.setAutoCommit(false);
            for (String table : COPIED) {
                if (!exists(source, table)) {
                    continue;
                }
                copied.put(table, copyTable(source, t, table));
                resetSequences(t, table);
                t.commit();
            }
        }
        rewrapSubjectKeys();
        out.println("rebuilding the projections on the target from the copied events");
        new ProjectionRebuilder(target.jdbcUrl(), target.username(), target.password(), out, false)
                .rebuild(List.of(), null, false);
        try (Connection source = openSource(); Connection t = openTarget()) {
            long keys = carryLastUsed(source, t);
            out.println("api_keys.last_used_at carried over for " + keys + " keys");
            for (Map.Entry<String, Long> c : copied.entrySet()) {
                long there = count(t, c.getKey());
                if (there != c.getValue()) {
                    throw new IllegalStateException(c.getKey() + ": copied " + c.getValue() + " rows but the target "
                            + "holds " + there);
                }
            }
            for (String derived : List.of("tenants", "users", "api_keys")) {
                long s = count(source, derived);
                long d = count(t, derived);
                if (s != d) {
                    throw new IllegalStateException(derived + ": " + s + " rows in the source, " + d + " rebuilt on "
                            + "the target");
                }
            }
            out.println("copied and checked: " + copied.getOrDefault("domain_event_entry", 0L) + " events; "
                    + count(t, "tenants") + " tenants, " + count(t, "users") + " users rebuilt");
        }
    }

    /**
     * The users' keys were wrapped by the embedded installation's database encryption key; the target is served with
     * the key its environment names (DB_ENCRYPTION_KEY_PATH, beside JWT_PRIVATE_KEY_PATH, else the key directory's
     * development key), which may be another: then each is wrapped again by it.
     */
    private void rewrapSubjectKeys() {
        Path from = dataDir.resolve("keys").resolve("db_encryption_dev.key");
        String keyDir = System.getProperty("catalytic.auth.key-dir",
                System.getenv().getOrDefault("CATALYTIC_DATA_DIR", "./data") + "/keys");
        Path to = PersonalDataConfiguration.keyFile(System.getenv("DB_ENCRYPTION_KEY_PATH"),
                System.getenv("JWT_PRIVATE_KEY_PATH"), System.getenv("APP_ENV"), keyDir);
        if (!Files.exists(from) || from.toAbsolutePath().normalize().equals(to.toAbsolutePath().normalize())) {
            return;
        }
        byte[] fromKey = PersonalDataConfiguration.readKey(from);
        byte[] toKey = PersonalDataConfiguration.readKey(to);
        if (Arrays.equals(fromKey, toKey)) {
            return;
        }
        int n = PersonalDataConfiguration.rewrapAll(new JdbcTemplate(new DriverManagerDataSource(target.jdbcUrl(),
                target.username(), target.password())), fromKey, toKey);
        out.println("subject_keys: " + n + " users' keys wrapped again, from " + from + " to " + to);
    }

    private long copyTable(Connection source, Connection t, String table) throws SQLException {
        List<String> columns = new ArrayList<>(columns(source, table));
        columns.retainAll(columns(t, table));
        String list = String.join(", ", columns);
        String marks = String.join(", ", columns.stream().map(c -> "?").toList());
        long rows = 0;
        try (Statement read = source.createStatement();
             ResultSet rs = read.executeQuery("SELECT " + list + " FROM " + table);
             PreparedStatement write = t.prepareStatement("INSERT INTO " + table + " (" + list + ") VALUES ("
                     + marks + ")")) {
            while (rs.next()) {
                for (int i = 1; i <= columns.size(); i++) {
                    Object v = rs.getObject(i);
                    if (v instanceof Blob blob) {
                        v = blob.getBytes(1, (int) blob.length());
                    }
                    write.setObject(i, v);
                }
                write.addBatch();
                if (++rows % BATCH == 0) {
                    write.executeBatch();
                }
                if (rows % 50_000 == 0) {
                    out.println("  " + table + ": " + rows + " rows…");
                }
            }
            write.executeBatch();
        }
        out.println("  " + table + ": " + rows + " rows copied");
        return rows;
    }

    /** Serial columns continue after the copied values (global_index above all). */
    private static void resetSequences(Connection t, String table) throws SQLException {
        for (String column : columns(t, table)) {
            try (PreparedStatement q = t.prepareStatement("SELECT pg_get_serial_sequence(?, ?)")) {
                q.setString(1, table);
                q.setString(2, column);
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next() && rs.getString(1) != null) {
                        try (Statement s = t.createStatement()) {
                            s.execute("SELECT setval('" + rs.getString(1) + "', COALESCE((SELECT max(" + column
                                    + ") FROM " + table + "), 0) + 1, false)");
                        }
                    }
                }
            }
        }
    }

    private static long carryLastUsed(Connection source, Connection t) throws SQLException {
        long n = 0;
        t.setAutoCommit(false);
        try (Statement read = source.createStatement();
             ResultSet rs = read.executeQuery("SELECT id, last_used_at FROM api_keys WHERE last_used_at IS NOT NULL");
             PreparedStatement write = t.prepareStatement("UPDATE api_keys SET last_used_at = ? WHERE id = ?")) {
            while (rs.next()) {
                write.setObject(1, rs.getObject(2));
                write.setString(2, rs.getString(1));
                write.addBatch();
                n++;
            }
            write.executeBatch();
        }
        t.commit();
        return n;
    }

    private Path embeddedFile() {
        return dataDir.resolve("catalytic.mv.db");
    }

    private Connection openSource() throws SQLException {
        if (!Files.exists(embeddedFile())) {
            throw new SQLException("no embedded database at " + embeddedFile().toAbsolutePath().normalize()
                    + " (set CATALYTIC_DATA_DIR to the installation's data directory)");
        }
        Connection c = DriverManager.getConnection(RuntimeEnvironment.embeddedUrl(dataDir) + ";ACCESS_MODE_DATA=r",
                "sa", "");
        c.setReadOnly(true);
        return c;
    }

    private Connection openTarget() throws SQLException {
        // strings into whatever type the column has (the embedded database hands some values over as text)
        String url = target.jdbcUrl() + (target.jdbcUrl().contains("?") ? "&" : "?") + "stringtype=unspecified";
        return DriverManager.getConnection(url, target.username(), target.password());
    }

    private static String sourceProblem(SQLException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("locked") || m.contains("in use")
                ? "the embedded database is in use: stop the service first (" + m.lines().findFirst().orElse(m) + ")"
                : "cannot read the embedded database: " + m.lines().findFirst().orElse(m);
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        return !columns(c, table).isEmpty();
    }

    private static Set<String> columns(Connection c, String table) throws SQLException {
        Set<String> names = new LinkedHashSet<>();
        DatabaseMetaData meta = c.getMetaData();
        String schema = c.getSchema();
        try (ResultSet rs = meta.getColumns(null, schema, table, null)) {
            while (rs.next()) {
                names.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    private static long count(Connection c, String table) throws SQLException {
        if (!exists(c, table)) {
            return 0;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
