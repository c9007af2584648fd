package com.catalytic.deploy.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.auth.RefreshTokenRotatedEvent;
import com.catalytic.api.auth.SessionStartedEvent;
import com.catalytic.deploy.support.TestApp;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.GenericEventMessage;
import org.hibernate.resource.jdbc.spi.StatementInspector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A read-table row made by its projection is inserted without a look-up first: Spring Data cannot tell a new row
 * from a stored one by an id taken from the event, and would merge it (a SELECT, then the INSERT) in the command's
 * transaction. A stored row is still loaded and changed in place.
 */
class NewRowTest {

    static TestApp app;

    /** Every statement Hibernate sends, as it sends it. */
    public static class Recorder implements StatementInspector {
        static final List<String> SENT = new CopyOnWriteArrayList<>();

        @Override
        public String inspect(String sql) {
            SENT.add(sql);
            return sql;
        }
    }

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of("spring.jpa.properties.hibernate.session_factory."
                + "statement_inspector", Recorder.class.getName()));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aNewSessionRowIsOneStatementAndAStoredOneIsStillUpdated() {
        String session = UUID.randomUUID().toString();
        String tenant = UUID.randomUUID().toString();
        String user = UUID.randomUUID().toString();
        Instant expires = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MILLIS);

        long inserted = statements(new SessionStartedEvent(session, tenant, user, "hash", expires, 0));
        assertThat(app.jdbc().queryForObject("SELECT expires_at FROM auth_sessions WHERE id = ?", Timestamp.class,
                session).toInstant()).isEqualTo(expires);
        assertThat(inserted).as("statements on auth_sessions for a new row: its INSERT only").isEqualTo(1);

        // the positive control: a stored row is read and updated, two statements
        Instant extended = expires.plus(1, ChronoUnit.DAYS);
        long updated = statements(new RefreshTokenRotatedEvent(session, tenant, user, "hash2", extended));
        assertThat(app.jdbc().queryForObject("SELECT expires_at FROM auth_sessions WHERE id = ?", Timestamp.class,
                session).toInstant()).isEqualTo(extended);
        assertThat(updated).as("statements on auth_sessions for a stored row: its SELECT and UPDATE").isEqualTo(2);
        assertThat(app.jdbc().queryForObject("SELECT COUNT(*) FROM auth_sessions WHERE id = ?", Long.class, session))
                .isEqualTo(1);
    }

    /** Publishes the event in a transaction of its own; the statements Hibernate sent on auth_sessions for it. */
    private static long statements(Object event) {
        TransactionTemplate tx = new TransactionTemplate(app.bean(PlatformTransactionManager.class));
        Recorder.SENT.clear();
        tx.executeWithoutResult(s -> app.bean(EventBus.class).publish(GenericEventMessage.asEventMessage(event)));
        return Recorder.SENT.stream().filter(sql -> sql.contains("auth_sessions")).count();
    }
}
