package com.catalytic.deploy.rebuild;

import com.catalytic.infrastructure.personal.PersonalDataConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.axonframework.serialization.upcasting.event.EventUpcaster;
import org.axonframework.serialization.upcasting.event.EventUpcasterChain;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.data.jpa.JpaRepositoriesAutoConfiguration;
import org.springframework.boot.autoconfigure.domain.EntityScan;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.JdbcTemplateAutoConfiguration;
import org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration;
import org.springframework.boot.autoconfigure.transaction.TransactionAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.FilterType;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
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
@Import(PersonalDataConfiguration.class)
class RebuildContext {

    /** A context starting on a thread of its own; closing it waits for the start and closes what started. */
    static final class Starting implements AutoCloseable {

        private final FutureTask<ConfigurableApplicationContext> start;

        private Starting(FutureTask<ConfigurableApplicationContext> start) {
            this.start = start;
        }

        /** Waits for the context; throws its start's failure. */
        ConfigurableApplicationContext get() throws Exception {
            return Background.await(start);
        }

        @Override
        public void close() throws InterruptedException {
            try {
                start.get().close();
            } catch (ExecutionException e) {
                // it never started: nothing to close (get() threw why)
            }
        }
    }

    /**
     * Starts the context on a thread of its own (Spring and Hibernate take seconds, whatever the size of the store),
     * on {@code database} with this search path (the rebuild schema first, then the live one; the schema need not
     * exist yet) and a pool of {@code connections}, one per replay lane.
     */
    static Starting startInBackground(Database database, String searchPath, int connections) {
        return new Starting(Background.start("rebuild-context", () -> start(database, searchPath, connections)));
    }

    private static ConfigurableApplicationContext start(Database database, String searchPath, int connections) {
        Map<String, Object> properties = new HashMap<>(properties(database, searchPath));
        properties.put("spring.datasource.hikari.maximum-pool-size", connections);
        // above application.yml and the environment (DB_POOL_SIZE sizes the application's pool, not this one), and
        // there before the logging system reads its levels
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("rebuild", properties));
        return new SpringApplicationBuilder(RebuildContext.class).environment(environment)
                .web(WebApplicationType.NONE).bannerMode(Banner.Mode.OFF).logStartupInfo(false)
                .run();
    }

    /** The application's event upcasters, in order: the rebuild reads the event store through the same chain. */
    static EventUpcasterChain upcasters(ApplicationContext ctx) {
        return new EventUpcasterChain(ctx.getBeanProvider(EventUpcaster.class).orderedStream().toList());
    }

    private static Map<String, Object> properties(Database database, String searchPath) {
        return Map.ofEntries(
                // multi-row inserts for JDBC batches; the rebuild's own commits need not wait for the WAL flush (a
                // crash loses the unfinished rebuild schema anyway; the swap commits durably)
                Map.entry("spring.datasource.url", database.withSchema(searchPath) + "&reWriteBatchedInserts=true"),
                Map.entry("spring.datasource.hikari.connection-init-sql", "SET synchronous_commit = off"),
                Map.entry("spring.datasource.username", database.userOrEmpty()),
                Map.entry("spring.datasource.password", database.passwordOrEmpty()),
                Map.entry("spring.jpa.hibernate.ddl-auto", "none"),
                Map.entry("spring.jpa.open-in-view", "false"),
                // the rows a batch flushes at commit go as JDBC batches (rewritten into multi-row inserts)
                Map.entry("spring.jpa.properties.hibernate.jdbc.batch_size", "500"),
                Map.entry("spring.jpa.properties.hibernate.order_inserts", "true"),
                Map.entry("spring.jpa.properties.hibernate.order_updates", "true"),
                Map.entry("catalytic.audit.dedupe", "false"),
                Map.entry("catalytic.audit.sole-writer", "true"),
                Map.entry("logging.level.root", "WARN"),
                // Spring's notes on the framework's annotations, not the operator's business
                Map.entry("logging.level.org.springframework.core.annotation", "ERROR"),
                Map.entry("spring.flyway.enabled", "false"));
    }

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
