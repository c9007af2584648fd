package com.catalytic.deploy.cli;

import com.catalytic.deploy.config.DatabaseUrl;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A read-only PostgreSQL role for analysts: SELECT on the analytical projections (docs/READ_MODEL.md), nothing
 * else. Never the credential tables (users' password hashes, API key hashes, sessions), the event store, the e-mail
 * queue, Stripe's event payloads or webhook secrets. Idempotent: running it again resets the role to exactly this.
 */
final class AnalyticsGrant {

    /** What an analyst may read: usage, audit, billing state and the lattice product. */
    static final List<String> TABLES = List.of("usage_logs", "audit_logs", "audit_heads", "subscriptions",
            "lattices", "lattice_operations");
    private static final Pattern ROLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private AnalyticsGrant() {
    }

    static void grant(DatabaseUrl db, String role, PrintStream out) throws SQLException {
        if (!ROLE.matcher(role).matches()) {
            throw new IllegalArgumentException("a role name is lower-case letters, digits and _ (at most 63), "
                    + "starting with a letter or _");
        }
        if (!db.jdbcUrl().startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("database roles need PostgreSQL (set DATABASE_URL)");
        }
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())) {
            c.setAutoCommit(false);
            String schema;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_schema()")) {
                rs.next();
                schema = rs.getString(1);
            }
            if (schema == null) {
                throw new IllegalArgumentException("the database has no current schema: migrate it first");
            }
            boolean exists;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                ps.setString(1, role);
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            }
            String r = quote(role);
            String sc = quote(schema);
            try (Statement s = c.createStatement()) {
                if (!exists) {
                    s.execute("CREATE ROLE " + r + " NOLOGIN");
                    out.println("created role " + role + " (NOLOGIN: grant it to the analysts' own roles)");
                }
                s.execute("REVOKE ALL ON ALL TABLES IN SCHEMA " + sc + " FROM " + r);
                s.execute("REVOKE ALL ON ALL SEQUENCES IN SCHEMA " + sc + " FROM " + r);
                s.execute("GRANT USAGE ON SCHEMA " + sc + " TO " + r);
                for (String table : TABLES) {
                    s.execute("GRANT SELECT ON " + sc + "." + quote(table) + " TO " + r);
                }
            }
            c.commit();
            out.println("role " + role + " may read " + String.join(", ", TABLES) + " in schema " + schema
                    + " and nothing else there");
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
