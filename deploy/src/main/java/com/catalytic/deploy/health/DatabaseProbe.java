package com.catalytic.deploy.health;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/** Whether the database answers: a connection from the pool that proves valid within 2 s. */
@Component
class DatabaseProbe {

    private final DataSource dataSource;

    DatabaseProbe(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void check() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!c.isValid(2)) {
                throw new IllegalStateException("connection is not valid");
            }
        }
    }
}
