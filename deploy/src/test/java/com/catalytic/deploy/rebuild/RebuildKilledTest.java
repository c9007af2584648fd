package com.catalytic.deploy.rebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.CatalyticMain;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.ChildApp;
import com.catalytic.deploy.support.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A rebuild killed while its statements run (kill -9, or Ctrl-C) leaves nothing working on the database: each of its
 * connections notices within a second that the command is gone and ends, even a statement that would otherwise wait
 * for as long as the table it reads stays locked.
 */
class RebuildKilledTest {

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
    void aKilledRebuildLeavesNoStatementRunning() throws Exception {
        Accounts.registerAndLogin(app.http(), "killed");
        String running = "SELECT application_name FROM pg_stat_activity WHERE datname = current_database() "
                + "AND application_name LIKE 'catalytic-rebuild\\_%' AND state = 'active'";
        assertThat(app.jdbc().queryForList(running, String.class)).as("no rebuild before").isEmpty();
        Path out = Files.createTempFile("rebuild-", ".log");
        try (Connection holder = app.bean(DataSource.class).getConnection()) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                // the rebuild's first read of the event store waits behind this lock for as long as it is held
                s.execute("LOCK TABLE " + schema + ".domain_event_entry IN ACCESS EXCLUSIVE MODE");
            }
            Process rebuild = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CatalyticMain.class.getName(), "projections",
                    "rebuild", "--no-progress", "--database-url",
                    ChildApp.jdbcUrl(schema) + "&user=" + TestApp.pgUser())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                        !app.jdbc().queryForList(running + " AND wait_event_type = 'Lock'", String.class).isEmpty());
                assertThat(rebuild.isAlive()).as("the rebuild waits: %s", Files.readString(out)).isTrue();
                String name = app.jdbc().queryForList(running, String.class).get(0);

                rebuild.destroyForcibly().waitFor();

                // gone while the lock is still held: the statement did not end because it got the table
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() ->
                        app.jdbc().queryForList(running, String.class).isEmpty());
                assertThat(holder.isValid(1)).as("the lock is still held").isTrue();
                // what the killed command left: its empty schema, dropped as the operator would
                app.jdbc().execute("DROP SCHEMA IF EXISTS " + name.substring("catalytic-".length()) + " CASCADE");
            } finally {
                rebuild.destroyForcibly();
                holder.rollback();
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
