package com.catalytic.command.uniqueness;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Clock;
import java.time.Duration;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Which unique-claim registry the commands use: in the events' transaction while the events are in PostgreSQL (the
 * default), reserved in transactions of their own when they are not (Axon Server switched on, or
 * {@code catalytic.unique-claims.reservations=true}, which runs the same path on PostgreSQL).
 */
@Configuration
class UniqueClaimsConfiguration {

    private static final String RESERVATIONS = "'${catalytic.unique-claims.reservations:false}' == 'true' "
            + "or '${axon.axonserver.enabled:false}' == 'true'";

    @Bean
    @ConditionalOnExpression("!(" + RESERVATIONS + ")")
    JdbcUniqueKeyRegistry uniqueKeyRegistry(JdbcTemplate jdbc, Clock clock) {
        return new JdbcUniqueKeyRegistry(jdbc, clock);
    }

    /**
     * Reservations take a connection of their own while the command's transaction holds one: from a pool of two,
     * so that commands waiting for a second connection can never hold every connection of the application's pool.
     * The pool is not a bean (a second data source bean would switch off the application's own).
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnExpression(RESERVATIONS)
    ReservingUniqueKeyRegistry reservingUniqueKeyRegistry(JdbcTemplate jdbc, DataSourceProperties database,
                                                         EventStore eventStore, Clock clock,
                                                         @Value("${catalytic.unique-claims.settle-after:PT5M}")
                                                         Duration settleAfter) {
        HikariDataSource pool = database.initializeDataSourceBuilder().type(HikariDataSource.class).build();
        pool.setPoolName("catalytic-unique-claims");
        pool.setMaximumPoolSize(2);
        pool.setMinimumIdle(0);
        pool.setConnectionTimeout(5_000);
        if (pool.getJdbcUrl().startsWith("jdbc:postgresql:")) {
            pool.addDataSourceProperty("ApplicationName", "catalytic-unique-claims"); // in pg_stat_activity
        }
        TransactionTemplate own = new TransactionTemplate(new DataSourceTransactionManager(pool));
        own.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        eventStore.registerDispatchInterceptor(ReservingUniqueKeyRegistry.reservationsOfEvents());
        return new ReservingUniqueKeyRegistry(jdbc, pool, own, eventStore, clock, settleAfter);
    }
}
