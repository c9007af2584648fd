package com.catalytic.deploy.health;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/** Whether the database answers: not while the breaker is open, else a pool connection valid within 1 s. */
@Component
class DatabaseProbe {

    private final DataSource dataSource;

    DatabaseProbe(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void check() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!c.isValid(1)) {
                throw new IllegalStateException("connection is not valid");
            }
        }
    }
}
