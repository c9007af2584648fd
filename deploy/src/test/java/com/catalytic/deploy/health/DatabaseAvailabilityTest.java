package com.catalytic.deploy.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The breaker on its own, in front of a real (embedded) database: a broken connection opens it and connections are
 * refused at once; the probe asks the database straight away and closes it as soon as the database answers.
 */
class DatabaseAvailabilityTest {

    @Test
    void aBrokenConnectionOpensTheBreakerUntilTheDatabaseAnswersTheProbe() throws Exception {
        CountDownLatch databaseBack = new CountDownLatch(1);
        DriverManagerDataSource h2 = new DriverManagerDataSource("jdbc:h2:mem:availability;DB_CLOSE_DELAY=-1");
        // the pool as the probe sees it: away until the test lets it answer
        DelegatingDataSource pool = new DelegatingDataSource(h2) {
            @Override
            public Connection getConnection() throws SQLException {
                try {
                    if (!databaseBack.await(10, TimeUnit.SECONDS)) {
                        throw new SQLException("connection refused", "08001");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted", "08001");
                }
                return super.getConnection();
            }
        };
        try (DatabaseAvailability availability = new DatabaseAvailability(Duration.ofMillis(100))) {
            GuardedDataSource guarded = new GuardedDataSource(pool, availability);
            assertThat(availability.isUp()).isTrue();

            availability.failed(new SQLException("An I/O error occurred while sending to the backend.", "08006"));
            assertThat(availability.isUp()).isFalse();
            long t0 = System.nanoTime();
            assertThatThrownBy(guarded::getConnection).isInstanceOf(DatabaseAvailability.DatabaseUnavailable.class)
                    .hasMessageContaining("SQLState 08006");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("refused at once").isLessThan(Duration.ofMillis(50));
            assertThat(DatabaseFailures.isUnavailable(new RuntimeException(new SQLException("x", "08006")))).isTrue();
            assertThat(DatabaseFailures.isUnavailable(new SQLException("duplicate key", "23505")))
                    .as("a statement's own error is not an outage").isFalse();

            databaseBack.countDown();
            await().atMost(Duration.ofSeconds(2)).until(availability::isUp);
            try (Connection c = guarded.getConnection()) {
                assertThat(c.isValid(1)).isTrue();
            }
        }
    }
}
