package com.catalytic.deploy.operations;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.CatalyticMain;
import com.catalytic.deploy.rebuild.RebuildTest;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Processes.Finished;
import com.catalytic.deploy.support.Processes;
import com.catalytic.deploy.support.Projections;
import com.catalytic.deploy.support.TestApp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * {@code deploy/bin/catalytic-backup} and {@code catalytic-restore} as an operator runs them, against a database of
 * its own on the real PostgreSQL server: the restored copy has the same events, a verified audit chain, and
 * projections rebuilt from its events equal to the original's read tables. A damaged backup is refused, and old
 * backups are removed after the retention.
 */
class BackupRestoreTest {

    static final String HOST = "127.0.0.1";
    static final String DB = "bk_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    static final String RESTORED = DB + "_restored";
    static JdbcTemplate admin;
    static TestApp app;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startOnADatabaseOfItsOwn() {
        admin = jdbc("postgres");
        admin.execute("CREATE DATABASE " + DB);
        app = TestApp.start("public", Map.of(
                "spring.datasource.url", "jdbc:postgresql://" + HOST + ":5432/" + DB,
                "spring.flyway.schemas", "public",
                "catalytic.redis.key-prefix", "test:" + DB + ":"));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        for (String db : List.of(DB, RESTORED)) {
            admin.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    @Test
    void backupThenRestoreIntoANewDatabaseGivesTheSameEventsChainAndProjections() throws Exception {
        history();
        Projections.awaitCaughtUp(app);
        JdbcTemplate original = jdbc(DB);
        long events = original.queryForObject("SELECT count(*) FROM domain_event_entry", Long.class);
        assertThat(events).as("a history to back up").isGreaterThan(10);

        Path backups = dir.resolve("backups");
        Files.createDirectories(backups);
        Path old = Files.writeString(backups.resolve("catalytic-" + DB + "-20250101T000000Z.dump"), "old");
        Files.writeString(backups.resolve(old.getFileName() + ".sha256"), "x");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(40, ChronoUnit.DAYS)));
        Path recent = Files.writeString(backups.resolve("catalytic-" + DB + "-20261201T000000Z.dump"), "recent");
        Files.setLastModifiedTime(recent, FileTime.from(Instant.now().minus(10, ChronoUnit.DAYS)));

        Finished backup = run(List.of("deploy/bin/catalytic-backup", "--dir", backups.toString()), Map.of());
        assertThat(backup.exit()).as(backup.output()).isZero();
        assertThat(backup.output()).contains("catalytic-backup: wrote").contains("removed 1 backup(s) older than 30 days");
        assertThat(old).doesNotExist();
        assertThat(backups.resolve(old.getFileName() + ".sha256")).doesNotExist();
        assertThat(recent).exists();
        Path dump;
        try (Stream<Path> files = Files.list(backups)) {
            dump = files.filter(p -> p.getFileName().toString().endsWith(".dump") && !p.equals(recent))
                    .findFirst().orElseThrow();
        }
        assertThat(Files.readString(dump.resolveSibling(dump.getFileName() + ".manifest")))
                .contains("events_at_least=" + events);
        assertThat(Files.getPosixFilePermissions(dump)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        // a damaged copy is refused before anything is created
        Path damaged = dir.resolve(dump.getFileName());
        byte[] bytes = Files.readAllBytes(dump);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(damaged, bytes);
        Files.copy(dump.resolveSibling(dump.getFileName() + ".sha256"), dir.resolve(dump.getFileName() + ".sha256"));
        Finished refused = run(List.of("deploy/bin/catalytic-restore", damaged.toString(), "--database", RESTORED),
                Map.of());
        assertThat(refused.exit()).as(refused.output()).isNotZero();
        assertThat(refused.output()).contains("does not match its checksum");
        assertThat(admin.queryForObject("SELECT count(*) FROM pg_database WHERE datname = ?", Long.class, RESTORED))
                .isZero();

        Finished restore = run(List.of("deploy/bin/catalytic-restore", dump.toString(), "--database", RESTORED,
                "--rebuild"), Map.of());
        assertThat(restore.exit()).as(restore.output()).isZero();
        assertThat(restore.output()).contains("checksum matches").contains("restored and verified: " + RESTORED);

        JdbcTemplate restored = jdbc(RESTORED);
        String stream = "SELECT global_index, event_identifier, aggregate_identifier, sequence_number, payload_type, "
                + "md5(payload), md5(meta_data) FROM domain_event_entry ORDER BY global_index";
        assertThat(restored.queryForList(stream)).isEqualTo(original.queryForList(stream));
        Map<String, List<Map<String, Object>>> before = tables(original);
        Map<String, List<Map<String, Object>>> after = tables(restored);
        assertThat(after.get("users")).as("users").isNotEmpty();
        assertThat(after.get("audit_logs")).as("audit_logs").isNotEmpty();
        before.forEach((table, rows) -> assertThat(after.get(table)).as(table).isEqualTo(rows));
    }

    private static void history() {
        for (int t = 0; t < 2; t++) {
            Account owner = Accounts.registerAndLogin(app.http(), "backup" + t);
            String[] auth = bearer(owner.accessToken());
            Accounts.changePlan(app, owner.tenantId(), "starter");
            assertThat(app.http().post("/api/users", Map.of("email", Accounts.uniqueEmail("m" + t), "role",
                    "member", "password", Accounts.PASSWORD), auth).status()).isEqualTo(201);
            assertThat(app.http().post("/api/api-keys", Map.of("name", "k" + t, "scopes", List.of("users:read")),
                    auth).status()).isEqualTo(201);
            for (int i = 0; i < 3; i++) {
                assertThat(app.http().get("/api/me", auth).status()).isEqualTo(200);
            }
        }
    }

    private static Map<String, List<Map<String, Object>>> tables(JdbcTemplate jdbc) {
        Map<String, List<Map<String, Object>>> s = new LinkedHashMap<>();
        RebuildTest.TABLES.forEach((table, sql) -> s.put(table, jdbc.queryForList(sql)));
        return s;
    }

    private static JdbcTemplate jdbc(String database) {
        return new JdbcTemplate(new DriverManagerDataSource("jdbc:postgresql://" + HOST + ":5432/" + database,
                TestApp.pgUser(), ""));
    }

    /** A script of deploy/bin, with the executable it calls being this build's classes (no jar is built yet). */
    static Finished run(List<String> command, Map<String, String> extra) throws IOException, InterruptedException {
        Path launcher = dir.resolve("catalytic");
        if (!Files.exists(launcher)) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Files.writeString(launcher, "#!/usr/bin/env bash\nexec '" + java + "' -Ddisable-axoniq-console-message=true"
                    + " -cp '" + System.getProperty("java.class.path") + "' " + CatalyticMain.class.getName()
                    + " \"$@\"\n");
            launcher.toFile().setExecutable(true);
        }
        return Processes.run(command, Path.of(".."), env -> {
            env.put("DATABASE_URL", "postgresql://" + TestApp.pgUser() + "@" + HOST + ":5432/" + DB);
            env.put("CATALYTIC", launcher.toString());
            // the rebuild after a restore opens what the test app sealed
            env.put("DB_ENCRYPTION_KEY_PATH", TestApp.databaseKey().toString());
            env.putAll(extra);
        }, Duration.ofMinutes(5));
    }
}
