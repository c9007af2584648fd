package com.catalytic.deploy.rebuild;

import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/** The PostgreSQL database a rebuild works on, as the operator named it ({@code user} may be null). */
record Database(String jdbcUrl, String user, String password) {

    /** A new connection per use, with the URL's own search path: the live schema. */
    DataSource dataSource() {
        DriverManagerDataSource ds = new DriverManagerDataSource(jdbcUrl);
        if (user != null) {
            ds.setUsername(user);
            ds.setPassword(passwordOrEmpty());
        }
        return ds;
    }

    /** One connection, kept open until the data source is closed. */
    SingleConnectionDataSource singleConnection() {
        return new SingleConnectionDataSource(jdbcUrl, userOrEmpty(), passwordOrEmpty(), true);
    }

    /** The same database with a different search path (replacing any currentSchema parameter). */
    String withSchema(String searchPath) {
        String base = jdbcUrl.replaceAll("([?&])currentSchema=[^&]*&?", "$1").replaceAll("[?&]$", "");
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + searchPath;
    }

    String userOrEmpty() {
        return user == null ? "" : user;
    }

    String passwordOrEmpty() {
        return password == null ? "" : password;
    }
}
