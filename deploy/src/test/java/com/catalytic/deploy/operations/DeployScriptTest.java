package com.catalytic.deploy.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.CatalyticMain;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Processes.Finished;
import com.catalytic.deploy.support.Processes;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.deploy.support.ThinJar;
import com.catalytic.infrastructure.credentials.JwtKeys;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * {@code deploy/bin/catalytic-deploy} and {@code catalytic-rollback} on a node laid out as the guide lays it out,
 * with a production environment file: a good release goes live behind its health gate; a release that cannot
 * start is rolled back and the release before it answers again; a rollback returns to the previous release. The
 * "service" is restarted by a script standing in for systemd (CATALYTIC_RESTART); once a release is live, those beyond
 * the newest (CATALYTIC_KEEP_RELEASES=1), the current and the previous one are removed. The releases are jars of this
 * build (a manifest class path, as no jar is packaged before the tests).
 */
class DeployScriptTest {

    static final String DB = "dp_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    static JdbcTemplate admin;

    @TempDir
    static Path dir;
    static Path home;
    static Path envFile;
    static int port;

    @BeforeAll
    static void node() throws Exception {
        admin = new JdbcTemplate(new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:5432/postgres",
                TestApp.pgUser(), ""));
        admin.execute("CREATE DATABASE " + DB);
        home = Files.createDirectories(dir.resolve("opt-catalytic"));
        port = freePort();
        envFile = productionEnvironment(dir, DB, port);
        // systemd's part: stop the running service, start whatever catalytic.jar now points to
        Path restart = dir.resolve("restart-service");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(restart, """
                #!/usr/bin/env bash
                pidfile=%1$s/service.pid
                if [ -f "$pidfile" ]; then
                    pid=$(cat "$pidfile")
                    kill "$pid" 2>/dev/null || true
                    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
                    kill -9 "$pid" 2>/dev/null || true
                fi
                set -a; . '%2$s'; set +a
                setsid '%3$s' -Ddisable-axoniq-console-message=true -jar '%4$s/catalytic.jar' serve \\
                    > "%1$s/service-$(date +%%s%%N).log" 2>&1 < /dev/null &
                echo $! > "$pidfile"
                """.formatted(dir, envFile, java, home));
        assertThat(restart.toFile().setExecutable(true)).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        Path pidfile = dir.resolve("service.pid");
        if (Files.exists(pidfile)) {
            long pid = Long.parseLong(Files.readString(pidfile).trim());
            ProcessHandle.of(pid).ifPresent(p -> {
                p.destroy();
                p.onExit().orTimeout(30, TimeUnit.SECONDS).join();
            });
        }
        admin.execute("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
    }

    @Test
    void aFailingReleaseIsRolledBackAndTheOldOneAnswers() throws Exception {
        Path good = jar("good.jar", CatalyticMain.class);
        Path broken = jar("broken.jar", BrokenRelease.class);
        // installed as the guide installs it: one jar, no releases yet
        Files.copy(good, home.resolve("catalytic.jar"));

        Finished failed = deploy(broken, "1.1.0");
        assertThat(failed.exit()).as(failed.output()).isEqualTo(1);
        assertThat(failed.output()).contains("1/6 configuration check").contains("catalytic-backup: wrote")
                .contains("kept as release \"initial\"")
                .contains("release 1.1.0 did not become healthy: returning to initial")
                .contains("rolled back to initial, which is healthy");
        assertThat(home.resolve("current").toRealPath()).isEqualTo(home.resolve("releases/initial").toRealPath());
        assertThat(health()).as("the old release answers").isEqualTo("healthy");
        assertThat(home.resolve("releases/1.1.0/catalytic.jar")).as("the failed release is kept").exists();

        Finished second = deploy(good, "1.2.0");
        assertThat(second.exit()).as(second.output()).isZero();
        assertThat(second.output()).contains("release 1.2.0 is live (previous: initial");
        // one release kept besides the current and the previous: the failed one goes once another is live
        assertThat(second.output()).contains("removed release 1.1.0");
        assertThat(home.resolve("releases/1.1.0")).doesNotExist();
        assertThat(home.resolve("releases/initial/catalytic.jar")).as("the previous release stays").exists();
        assertThat(home.resolve("current").toRealPath()).isEqualTo(home.resolve("releases/1.2.0").toRealPath());
        assertThat(home.resolve("catalytic.jar").toRealPath())
                .isEqualTo(home.resolve("releases/1.2.0/catalytic.jar").toRealPath());
        assertThat(health()).isEqualTo("healthy");

        // back, with the read models rebuilt from the events by the release's own launcher
        Finished back = run(List.of("deploy/bin/catalytic-rollback", "--rebuild"));
        assertThat(back.exit()).as(back.output()).isZero();
        assertThat(back.output()).contains("current release: initial (was 1.2.0)")
                .contains("rebuilding the read models from the event store").contains("Swapped in: [")
                .contains("initial is live");
        assertThat(home.resolve("current").toRealPath()).isEqualTo(home.resolve("releases/initial").toRealPath());
        assertThat(health()).isEqualTo("healthy");

        Finished refused = deploy(good, "1.2.0");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.output()).contains("release 1.2.0 exists already");
    }

    /**
     * A production environment file in {@code dir} for a node on database {@code db} answering on {@code port}: its
     * own keys, the test Redis, a data directory of its own.
     */
    static Path productionEnvironment(Path dir, String db, int port) throws Exception {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        KeyPair pair = JwtKeys.generate();
        JwtKeys.writePem(keys.resolve("private.pem"), "PRIVATE KEY", pair.getPrivate().getEncoded(), true);
        JwtKeys.writePem(keys.resolve("public.pem"), "PUBLIC KEY", pair.getPublic().getEncoded(), false);
        TestApp.writeDatabaseKey(keys.resolve("db_encryption_production.key"));
        return Files.writeString(dir.resolve(".env.production"), String.join("\n",
                "APP_ENV=production",
                "LOG_LEVEL=WARNING",
                "PORT=" + port,
                "MANAGEMENT_PORT=" + freePort(),
                "BACKEND_URL=https://api.example.com",
                "FRONTEND_URL=https://app.example.com",
                "CORS_ALLOWED_ORIGINS=https://app.example.com",
                "DATABASE_URL=postgresql://" + TestApp.pgUser() + "@127.0.0.1:5432/" + db,
                "REDIS_HOST=" + TestApp.redisHost(),
                "REDIS_PORT=" + TestApp.redisPort(),
                "JWT_PRIVATE_KEY_PATH=" + keys.resolve("private.pem"),
                "JWT_PUBLIC_KEY_PATH=" + keys.resolve("public.pem"),
                "SESSION_SECRET_KEY=" + "s".repeat(40) + "0123456789",
                "CSRF_SECRET_KEY=" + "c".repeat(40) + "0123456789",
                "SENDGRID_API_KEY=SG.deploy-test-key-never-used",
                "CATALYTIC_DATA_DIR=" + Files.createDirectories(dir.resolve("data")),
                "CATALYTIC_REDIS_KEY_PREFIX=test:" + db + ":",
                ""));
    }

    private static Finished deploy(Path jar, String version) throws Exception {
        return run(List.of("deploy/bin/catalytic-deploy", jar.toString(), "--version", version));
    }

    private static Finished run(List<String> command) throws IOException, InterruptedException {
        return Processes.run(command, Path.of(".."), env -> {
            env.remove("DATABASE_URL");
            env.put("CATALYTIC_HOME", home.toString());
            env.put("CATALYTIC_ENV_FILE", envFile.toString());
            env.put("CATALYTIC_RESTART", dir.resolve("restart-service").toString());
            env.put("BACKUP_DIR", dir.resolve("backups").toString());
            env.put("HEALTH_TIMEOUT", "45");
            env.put("CATALYTIC_KEEP_RELEASES", "1");
            env.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        }, Duration.ofMinutes(6));
    }

    private static String health() {
        return new Http("http://127.0.0.1:" + port).get("/health").text("status");
    }

    private static Path jar(String name, Class<?> main) throws IOException {
        return ThinJar.write(dir.resolve(name), main);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
