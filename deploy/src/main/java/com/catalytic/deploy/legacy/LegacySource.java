package com.catalytic.deploy.legacy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.sqlite.SQLiteConfig;

/**
 * The original service's SQLite database, opened read-only. Rows come back as maps of column name to value, in the
 * order the query gives; a table the file lacks reads as empty (only {@code tenants} and {@code users} are needed).
 */
final class LegacySource implements AutoCloseable {

    static final List<String> REQUIRED = List.of("tenants", "users");
    static final List<String> TABLES = List.of("tenants", "subscription_plans", "tenant_subscriptions", "users",
            "api_keys", "tenant_lattices", "lattice_operations", "api_logs");

    private final Path file;
    private final Connection connection;
    private final Set<String> tables = new TreeSet<>();

    private LegacySource(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /**
     * The file a source URL names, as SQLAlchemy writes them: {@code sqlite:///relative/path.db} or
     * {@code sqlite:////absolute/path.db}; a plain path is taken as it is.
     */
    static Path pathOf(String source) {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("give the original database as sqlite:///path/to/file.db");
        }
        if (!source.startsWith("sqlite:")) {
            if (source.contains("://")) {
                throw new IllegalArgumentException("only a SQLite source (sqlite:///path/to/file.db) can be imported");
            }
            return Path.of(source);
        }
        if (!source.startsWith("sqlite:///")) {
            throw new IllegalArgumentException("a SQLite URL has three slashes before a relative path "
                    + "(sqlite:///data/app.db) and four before an absolute one (sqlite:////var/lib/app.db)");
        }
        String rest = source.substring("sqlite:///".length());
        int query = rest.indexOf('?');
        return Path.of(query >= 0 ? rest.substring(0, query) : rest);
    }

    /** Opens the file read-only; a clear message when it is missing, unreadable, not SQLite or lacks a table. */
    static LegacySource open(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("no readable file at " + file.toAbsolutePath());
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        try {
            Connection c = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
            LegacySource source = new LegacySource(file, c);
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
                while (rs.next()) {
                    source.tables.add(rs.getString(1).toLowerCase(Locale.ROOT));
                }
            }
            for (String table : REQUIRED) {
                if (!source.tables.contains(table)) {
                    c.close();
                    throw new IllegalArgumentException(file + " has no table '" + table
                            + "': it is not a database of the original service");
                }
            }
            return source;
        } catch (SQLException e) {
            throw new IllegalArgumentException("cannot read " + file + " as SQLite: " + e.getMessage(), e);
        }
    }

    Path file() {
        return file;
    }

    boolean has(String table) {
        return tables.contains(table);
    }

    long count(String table) throws SQLException {
        if (!has(table)) {
            return 0;
        }
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every row of the table (none when the table is missing), in a stable order. */
    List<Map<String, Object>> rows(String table) throws SQLException {
        return has(table) ? query("SELECT * FROM " + table + " ORDER BY rowid") : List.of();
    }

    /** The rows of a table whose {@code column} equals {@code value}, in the order of {@code orderBy}. */
    List<Map<String, Object>> rowsWhere(String table, String column, Object value, String orderBy) throws SQLException {
        return has(table) ? query("SELECT * FROM " + table + " WHERE " + column + " = ? ORDER BY " + orderBy, value)
                : List.of();
    }

    /**
     * Up to {@code limit} rows whose {@code column} equals {@code value}, after the row {@code afterRowid}, in
     * storage order; each with its position under {@code import_rowid} (the next page starts after the last).
     */
    List<Map<String, Object>> page(String table, String column, Object value, long afterRowid, int limit)
            throws SQLException {
        return has(table) ? query("SELECT rowid AS import_rowid, * FROM " + table + " WHERE " + column
                + " = ? AND rowid > ? ORDER BY rowid LIMIT ?", value, afterRowid, limit) : List.of();
    }

    /** Rows of a table whose {@code column} names no row of {@code parent}: orphans the original left behind. */
    List<Map<String, Object>> orphans(String table, String column, String parent) throws SQLException {
        return has(table) ? query("SELECT * FROM " + table + " WHERE " + column + " IS NULL OR " + column
                + " NOT IN (SELECT id FROM " + parent + " WHERE id IS NOT NULL) ORDER BY rowid") : List.of();
    }

    private List<Map<String, Object>> query(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        row.put(md.getColumnName(i).toLowerCase(Locale.ROOT), rs.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
