package com.catalytic.deploy.rebuild;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import org.axonframework.serialization.upcasting.event.EventUpcaster;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.domain.EntityScan;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.JdbcTemplateAutoConfiguration;
import org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration;
import org.springframework.boot.autoconfigure.transaction.TransactionAutoConfiguration;
import org.springframework.boot.autoconfigure.data.jpa.JpaRepositoriesAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;

/**
 * A small Spring context holding only the projections (their handlers, rows and repositories) on a data source
 * whose search path puts the rebuild schema first: what they write lands in the new tables, what they read of the
 * event store comes from the live schema. No Axon processors, no web server, nothing scheduled.
 */
// deliberately not a @Configuration: the application's component scan must not pick it up
@ImportAutoConfiguration({DataSourceAutoConfiguration.class, HibernateJpaAutoConfiguration.class, JpaRepositoriesAutoConfiguration.class,
        TransactionAutoConfiguration.class, JdbcTemplateAutoConfiguration.class})
@ComponentScan("com.catalytic.projections")
// the application's event upcasters (components implementing EventUpcaster anywhere under com.catalytic, which its own
// component scan registers with Axon): the rebuild reads the event store through the same chain
@ComponentScan(basePackages = "com.catalytic", useDefaultFilters = false,
        includeFilters = @ComponentScan.Filter(type = FilterType.ASSIGNABLE_TYPE, classes = EventUpcaster.class))
@EntityScan("com.catalytic.projections")
@EnableJpaRepositories("com.catalytic.projections")
public class RebuildContext {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Nobody reads a rebuild's metrics (the usage lag of replayed calls would be meaningless): no meters. */
    @Bean
    MeterRegistry meterRegistry() {
        MeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(MeterFilter.deny());
        return registry;
    }
}
