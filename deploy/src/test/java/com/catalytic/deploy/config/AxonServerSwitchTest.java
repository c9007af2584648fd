package com.catalytic.deploy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.catalytic.command.uniqueness.UniqueKeyRegistry;
import com.catalytic.deploy.config.AxonServerReachability.UnreachableException;
import com.catalytic.deploy.support.ChildApp;
import com.catalytic.deploy.support.TestApp;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.axonframework.axonserver.connector.AxonServerConnectionManager;
import org.axonframework.axonserver.connector.event.axon.AxonServerEventStore;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.spring.config.SpringAxonConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.io.support.SpringFactoriesLoader;

/**
 * Axon Server as the event store, as far as it can be tested without a server: switched on, the context is built
 * with the connector and without the JDBC storage engine (the token store stays in PostgreSQL), and an unreachable
 * server stops the start at once with one clear message; switched off (the default), the events stay in
 * PostgreSQL and no check is made.
 */
class AxonServerSwitchTest {

    /** What the context was built with, read as its lifecycle starts (before Axon's own start). */
    static final class Wiring implements SmartLifecycle {
        private final Map<String, Object> seen = new LinkedHashMap<>();
        private ConfigurableApplicationContext context;
        private boolean running;

        ApplicationContextInitializer<ConfigurableApplicationContext> install() {
            return ctx -> {
                context = ctx;
                ctx.getBeanFactory().registerSingleton("wiringProbe", this);
            };
        }

        @Override
        public void start() {
            seen.put("event store", context.getBean(EventStore.class).getClass());
            seen.put("storage engines", context.getBeansOfType(EventStorageEngine.class).size());
            seen.put("connection managers", context.getBeansOfType(AxonServerConnectionManager.class).size());
            seen.put("token store", context.getBean(TokenStore.class).getClass());
            seen.put("reachability checks", context.getBeansOfType(AxonServerReachability.class).size());
            seen.put("unique claims", context.getBean(UniqueKeyRegistry.class).getClass().getSimpleName());
            running = true;
        }

        @Override
        public void stop() {
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return SpringAxonConfiguration.LIFECYCLE_PHASE - 2;
        }
    }

    @Test
    void switchedOnTheEventsGoToAxonServerAndAnUnreachableOneStopsTheStartWithOneClearMessage() {
        String address = "127.0.0.1:" + ChildApp.freePort(); // nothing listens there
        Wiring wiring = new Wiring();
        long started = System.nanoTime();
        Throwable failure = catchThrowable(() -> TestApp.start(TestApp.newSchema(),
                Map.of("AXON_SERVER_ENABLED", "true", "AXON_SERVER_SERVERS", address), wiring.install()).close());
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(wiring.seen).containsEntry("event store", AxonServerEventStore.class)
                .containsEntry("storage engines", 0).containsEntry("connection managers", 1)
                .containsEntry("token store", JdbcTokenStore.class).containsEntry("reachability checks", 1)
                // the claims cannot commit with events stored elsewhere: reserved, confirmed after the append
                .containsEntry("unique claims", "ReservingUniqueKeyRegistry");
        assertThat(failure).as("the start").isNotNull().hasRootCauseInstanceOf(UnreachableException.class);
        UnreachableException unreachable = (UnreachableException) rootCause(failure);
        assertThat(unreachable).hasMessageContaining("AXON_SERVER_ENABLED").hasMessageContaining(address)
                .hasMessageContaining("AXON_SERVER_SERVERS");
        // the analyzer is what Spring Boot prints the failure with: registered, and saying what to do
        // (Spring Boot's own analyzers need its bean factory to be made: they are skipped here)
        assertThat(SpringFactoriesLoader.forDefaultResourceLocation(getClass().getClassLoader())
                .load(FailureAnalyzer.class, (type, name, notMade) -> { }))
                .hasAtLeastOneElementOfType(AxonServerReachability.Analyzer.class);
        FailureAnalysis analysis = new AxonServerReachability.Analyzer().analyze(failure);
        assertThat(analysis).as("what the start prints").isNotNull();
        assertThat(analysis.getDescription()).contains(address);
        assertThat(analysis.getAction()).contains("AXON_SERVER_ENABLED=false");
        // Axon's own start, unchecked, retries for about twenty seconds before it fails with no word of the server
        assertThat(took).as("time to the refusal").isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void switchedOffTheEventsStayInPostgreSqlAndNothingIsChecked() {
        Wiring wiring = new Wiring();
        try (TestApp app = TestApp.start(TestApp.newSchema(), Map.of(), wiring.install())) {
            assertThat(app.http().get("/health").status()).isEqualTo(200);
            assertThat(app.bean(EventStorageEngine.class)).isInstanceOf(JdbcEventStorageEngine.class);
        }
        assertThat(wiring.seen).containsEntry("event store", EmbeddedEventStore.class)
                .containsEntry("storage engines", 1).containsEntry("connection managers", 0)
                .containsEntry("token store", JdbcTokenStore.class).containsEntry("reachability checks", 0)
                .containsEntry("unique claims", "JdbcUniqueKeyRegistry");
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }
}
