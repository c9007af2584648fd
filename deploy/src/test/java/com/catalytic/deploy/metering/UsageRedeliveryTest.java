package com.catalytic.deploy.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.usage.UsageEvents.UsageRecordedEvent;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.projections.usage.UsageProjection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A metered call delivered again (a retried processor batch, live processors catching up after a rebuild swapped
 * the table in) never becomes a second {@code usage_logs} row: on PostgreSQL, also with batches sent as multi-row
 * statements (as the rebuild sends them), and on the embedded H2 default.
 */
class UsageRedeliveryTest {

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "postgresql-rewritten", "h2"})
    void aRedeliveredCallStaysOneRow(String database) throws Exception {
        String schema = TestApp.newSchema();
        DriverManagerDataSource ds = switch (database) {
            case "h2" -> new DriverManagerDataSource("jdbc:h2:mem:" + schema
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
            default -> new DriverManagerDataSource(TestApp.pgUrl() + (TestApp.pgUrl().contains("?") ? "&" : "?")
                    + "currentSchema=" + schema + (database.endsWith("rewritten") ? "&reWriteBatchedInserts=true" : ""),
                    TestApp.pgUser(), "");
        };
        boolean h2 = database.equals("h2");
        var flyway = Flyway.configure().dataSource(ds).locations("classpath:db/migration/projections");
        (h2 ? flyway : flyway.schemas(schema).createSchemas(true)).load().migrate();
        try {
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            AnnotationEventHandlerAdapter usage = new AnnotationEventHandlerAdapter(
                    new UsageProjection(jdbc, new SimpleMeterRegistry(), Clock.systemUTC()));
            EventMessage<?> call = call();
            EventMessage<?> other = call();

            usage.handle(call); // outside a unit of work: written at once
            usage.handle(call);
            assertThat(rows(jdbc)).containsExactly(((UsageRecordedEvent) call.getPayload()).usageId());

            // one batch holding the same call twice, one already stored and a new one: one JDBC batch at commit
            DefaultUnitOfWork<?> uow = DefaultUnitOfWork.startAndGet(null);
            for (EventMessage<?> e : List.of(call, other, other, call)) {
                usage.handle(e);
            }
            uow.commit();
            assertThat(rows(jdbc)).containsExactlyInAnyOrder(((UsageRecordedEvent) call.getPayload()).usageId(),
                    ((UsageRecordedEvent) other.getPayload()).usageId());
            assertThat(jdbc.queryForObject("SELECT request_id FROM usage_logs WHERE id = ?", String.class,
                    ((UsageRecordedEvent) other.getPayload()).usageId())).isEqualTo(other.getMetaData().get("request_id"));
        } finally {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute(h2 ? "SHUTDOWN" : "DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private static List<String> rows(JdbcTemplate jdbc) {
        return jdbc.queryForList("SELECT id FROM usage_logs", String.class);
    }

    private static EventMessage<?> call() {
        UsageRecordedEvent e = new UsageRecordedEvent(UUID.randomUUID().toString(), "tenant-1", "user-1", null,
                "/api/me", "GET", 200, 3, 120, 1, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        return GenericEventMessage.asEventMessage(e).andMetaData(MetaData.from(Map.of("tenant_id", "tenant-1",
                "request_id", "req-" + e.usageId())));
    }
}
