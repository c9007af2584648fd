package com.catalytic.deploy.rebuild;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/** The PostgreSQL database a rebuild works on, as the operator named it ({@code user} may be null). */
record Database(String jdbcUrl, String user, String password) {

    /** The same database, its connections named so in {@code pg_stat_activity}. */
    Database named(String applicationName) {
        return new Database(withParameter(jdbcUrl, "ApplicationName", applicationName), user, password);
    }

    /**
     * The same database, its connections checking every second that their client is still there while a statement
     * runs (PostgreSQL 14 and later; earlier servers as they are): a rebuild stopped by Ctrl-C or killed leaves no
     * load running on, and no snapshot held in, a shared database.
     */
    Database checkingClient() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, userOrEmpty(), passwordOrEmpty())) {
            if (c.getMetaData().getDatabaseMajorVersion() < 14) {
                return this;
            }
        }
        return new Database(withParameter(jdbcUrl, "options", URLEncoder.encode(
                "-c client_connection_check_interval=1s", StandardCharsets.UTF_8)), user, password);
    }

    /** One connection, kept open until the data source is closed. */
    SingleConnectionDataSource singleConnection() {
        return new SingleConnectionDataSource(jdbcUrl, userOrEmpty(), passwordOrEmpty(), true);
    }

    /** The same database with a different search path (replacing any currentSchema parameter). */
    String withSchema(String searchPath) {
        return withParameter(jdbcUrl, "currentSchema", searchPath);
    }

    String userOrEmpty() {
        return user == null ? "" : user;
    }

    String passwordOrEmpty() {
        return password == null ? "" : password;
    }

    /** The URL with this parameter set, replacing any value it had. */
    private static String withParameter(String url, String name, String value) {
        String base = url.replaceAll("([?&])" + name + "=[^&]*&?", "$1").replaceAll("[?&]$", "");
        return base + (base.contains("?") ? "&" : "?") + name + "=" + value;
    }
}
