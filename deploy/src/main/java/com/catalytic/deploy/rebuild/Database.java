package com.catalytic.deploy.rebuild;

import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/** The PostgreSQL database a rebuild works on, as the operator named it ({@code user} may be null). */
record Database(String jdbcUrl, String user, String password) {

    /** The same database, its connections named so in {@code pg_stat_activity}. */
    Database named(String applicationName) {
        return new Database(withParameter(jdbcUrl, "ApplicationName", applicationName), user, password);
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
