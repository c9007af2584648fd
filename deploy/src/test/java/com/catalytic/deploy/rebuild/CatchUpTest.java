package com.catalytic.deploy.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.rebuild.EventStoreReader.Position;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.axonframework.serialization.upcasting.event.EventUpcasterChain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * A rebuild reads one snapshot of the event store; an append still in flight then (a position below the last one
 * read, empty in the snapshot) is read by the catch-up once committed, and a position rolled back stays a gap.
 */
class CatchUpTest {

    /** A stored usage event again, under a new event id: harmless to the running projections (the call is stored). */
    private static final String APPEND = "INSERT INTO domain_event_entry (event_identifier, aggregate_identifier, "
            + "sequence_number, type, time_stamp, payload_type, payload_revision, payload, meta_data) SELECT x.id, "
            + "x.id, 0, NULL, time_stamp, payload_type, payload_revision, payload, meta_data FROM (SELECT "
            + "gen_random_uuid()::text AS id, * FROM domain_event_entry WHERE payload_type LIKE "
            + "'%UsageRecordedBatchEvent' ORDER BY global_index LIMIT 1) x RETURNING global_index";

    static String schema = TestApp.newSchema();
    static TestApp app;

    @BeforeAll
    static void start() {
        app = TestApp.start(schema, Map.of());
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void anAppendInFlightDuringTheReplayIsReadByTheCatchUp() throws Exception {
        Accounts.Account owner = Accounts.registerAndLogin(app.http(), "catch-up");
        assertThat(app.http().get("/api/me", Http.bearer(owner.accessToken())).status())
                .isEqualTo(200);
        RebuildTest.awaitShipped(app);
        DataSource pool = app.jdbc().getDataSource();
        try (Connection inFlight = pool.getConnection(); Connection rolledBack = pool.getConnection();
             SingleConnectionDataSource readerConnection = new SingleConnectionDataSource(pool.getConnection(), true)) {
            inFlight.setAutoCommit(false);
            rolledBack.setAutoCommit(false);
            long pending = append(inFlight);
            long abandoned = append(rolledBack);
            long committed = app.jdbc().queryForObject(APPEND, Long.class);
            assertThat(committed).as("appended after both").isGreaterThan(Math.max(pending, abandoned));

            EventStoreReader reader = new EventStoreReader(readerConnection, new EventUpcasterChain());
            reader.beginSnapshot();
            long last = reader.lastPosition();
            assertThat(last).isEqualTo(committed);
            List<Long> replayed = new ArrayList<>();
            Position position = drain(reader.readFrom(Position.START, last, null, Set.of()), replayed);
            reader.endSnapshot();
            assertThat(replayed).as("the snapshot's events").contains(committed).doesNotContain(pending, abandoned);
            assertThat(position.index()).isEqualTo(committed);
            assertThat(position.gaps()).as("empty in the snapshot").contains(pending, abandoned);

            inFlight.commit();
            rolledBack.rollback();
            List<Long> caughtUp = new ArrayList<>();
            Position after = drain(reader.readFrom(position, EventStoreReader.TO_THE_END, null, Set.of()), caughtUp);
            assertThat(caughtUp).as("the catch-up").contains(pending).doesNotContain(abandoned, committed);
            assertThat(after.gaps()).as("still empty").contains(abandoned).doesNotContain(pending);
        }
    }

    private static long append(Connection c) {
        return new JdbcTemplate(new SingleConnectionDataSource(c, true)).queryForObject(APPEND, Long.class);
    }

    /** Reads to the end, noting the positions of the events handed over; returns where the read stopped. */
    private static Position drain(ReadAhead reader, List<Long> positions) throws Exception {
        try (reader) {
            Chunk chunk;
            Position position = null;
            do {
                chunk = reader.next();
                assertThat(chunk.failure()).isNull();
                chunk.events().forEach(e -> positions.add(e.trackingToken().position().orElseThrow()));
                position = chunk.position() != null ? chunk.position() : position;
            } while (!chunk.last());
            return position;
        }
    }
}
