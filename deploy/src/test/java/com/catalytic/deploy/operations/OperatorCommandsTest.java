package com.catalytic.deploy.operations;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.CatalyticMain;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Processes.Finished;
import com.catalytic.deploy.support.Processes;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.deploy.support.ThinJar;
import com.catalytic.infrastructure.credentials.JwtKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator commands as the guide runs them: through the launcher {@code deploy/bin/catalytic}, each in a JVM of
 * its own, against the database of a running node ({@code DATABASE_URL}), and the launcher as installed on a
 * server (in {@code /opt/catalytic/bin}, no source checkout), where it finds the jar by itself.
 */
class OperatorCommandsTest {

    static final String SCHEMA = TestApp.newSchema();

    @TempDir
    static Path dir;
    static Path jar;

    @BeforeAll
    static void build() throws Exception {
        jar = ThinJar.write(dir.resolve("catalytic.jar"), CatalyticMain.class);
        TestApp.adminJdbc().execute("CREATE SCHEMA " + SCHEMA);
    }

    @AfterAll
    static void drop() {
        TestApp.adminJdbc().execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }

    /** {@code deploy/bin/catalytic ARGS} (or another launcher) with the node's database and this build's jar. */
    static Finished catalytic(Path launcher, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(List.of(args));
        return Processes.run(command, dir, e -> {
            e.remove("CATALYTIC_JAR");
            e.remove("DATABASE_URL");
            // the database encryption key of the test apps, which serve what these commands write
            e.put("DB_ENCRYPTION_KEY_PATH", TestApp.databaseKey().toString());
            e.putAll(env);
        }, Duration.ofMinutes(3));
    }

    static Finished catalytic(String... args) throws Exception {
        return catalytic(Path.of("bin", "catalytic").toAbsolutePath(), Map.of("CATALYTIC_JAR", jar.toString(),
                "DATABASE_URL", "postgresql://" + TestApp.pgUser() + "@127.0.0.1:5432/test?currentSchema=" + SCHEMA,
                "CATALYTIC_DATA_DIR", dir.resolve("cli-data").toString()), args);
    }

    @Test
    void keysGenerateWritesAUsablePairAndNeverOverwrites() throws Exception {
        Path keys = dir.resolve("keys");
        Finished first = catalytic("keys", "generate", "production", "--dir", keys.toString());
        assertThat(first.exit()).as(first.output()).isZero();
        Path priv = keys.resolve("jwt_production_private.pem");
        Path pub = keys.resolve("jwt_production_public.pem");
        assertThat(JwtKeys.load(priv, pub)).isNotNull();
        for (String secret : List.of("jwt_production_private.pem", "api_encryption_production.key",
                "db_encryption_production.key")) {
            assertThat(Files.getPosixFilePermissions(keys.resolve(secret))).as(secret)
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
        byte[] before = Files.readAllBytes(priv);
        Finished again = catalytic("keys", "generate", "production", "--dir", keys.toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.output()).contains("refusing to overwrite existing key files");
        assertThat(Files.readAllBytes(priv)).isEqualTo(before);
    }

    @Test
    void migrateThenTenantCommandsAgainstARunningNode() throws Exception {
        Finished migrate = catalytic("db", "migrate");
        assertThat(migrate.exit()).as(migrate.output()).isZero();
        assertThat(migrate.output()).containsPattern("database is at version \\d+ \\((\\d+) migrations applied now\\)")
                .doesNotContain("(0 migrations applied now)");
        Finished again = catalytic("db", "migrate");
        assertThat(again.output()).contains("(0 migrations applied now)");

        try (TestApp app = TestApp.start(SCHEMA, Map.of())) {
            Account a = Accounts.registerAndLogin(app.http(), "ops-a");
            Account b = Accounts.registerAndLogin(app.http(), "ops-b");
            String[] authA = bearer(a.accessToken());
            String[] authB = bearer(b.accessToken());
            assertThat(plan(app, authA)).isEqualTo("free");

            Finished plan = catalytic("tenant", "plan", a.tenantId(), "starter");
            assertThat(plan.exit()).as(plan.output()).isZero();
            assertThat(plan.output()).contains("tenant " + a.tenantId() + " is on the starter plan");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(plan(app, authA)).isEqualTo("starter"));
            assertThat(plan(app, authB)).isEqualTo("free");

            Finished suspend = catalytic("tenant", "suspend", a.tenantId(), "unpaid");
            assertThat(suspend.exit()).as(suspend.output()).isZero();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(app.http().get("/api/me", authA).status()).isEqualTo(403));
            assertThat(app.http().get("/api/me", authA).text("code")).isEqualTo("tenant_suspended");
            assertThat(app.http().get("/api/me", authB).status()).as("another tenant").isEqualTo(200);

            Finished reinstate = catalytic("tenant", "reinstate", a.tenantId());
            assertThat(reinstate.exit()).as(reinstate.output()).isZero();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(app.http().get("/api/me", authA).status()).isEqualTo(200));

            Finished unknown = catalytic("tenant", "plan", a.tenantId(), "platinum");
            assertThat(unknown.exit()).isNotZero();
            assertThat(plan(app, authA)).isEqualTo("starter");
        }
    }

    private static String plan(TestApp app, String[] auth) {
        return app.http().get("/api/me", auth).json().path("tenant").path("plan").asText();
    }

    /** Installed as the guide installs it: no checkout around it, the jar found beside bin/ (or in current/). */
    @Test
    void theInstalledLauncherFindsTheInstalledJar() throws Exception {
        Path opt = dir.resolve("opt-catalytic");
        Path bin = Files.createDirectories(opt.resolve("bin"));
        Path launcher = Files.copy(Path.of("bin", "catalytic"), bin.resolve("catalytic"));
        assertThat(launcher.toFile().setExecutable(true)).isTrue();
        Path envFile = Files.writeString(dir.resolve("empty.env"), "DEBUG=false\n");

        Finished missing = catalytic(launcher, Map.of(), "config", "check", "--env-file", envFile.toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.output()).contains("no catalytic.jar in");

        Files.copy(jar, opt.resolve("catalytic.jar"));
        Finished check = catalytic(launcher, Map.of(), "config", "check", "--env-file", envFile.toString());
        assertThat(check.exit()).as(check.output()).isEqualTo(78);
        assertThat(check.output()).contains("APP_ENV is not set").contains("DATABASE_URL is required");

        Finished help = catalytic(launcher, Map.of(), "--help");
        assertThat(help.exit()).as(help.output()).isZero();
        assertThat(help.output()).contains("config").contains("keys").contains("tenant").contains("audit");
    }
}
