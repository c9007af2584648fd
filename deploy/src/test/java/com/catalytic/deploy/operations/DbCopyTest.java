package com.catalytic.deploy.operations;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.CatalyticMain;
import com.catalytic.deploy.config.RuntimeEnvironment;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Projections;
import com.catalytic.deploy.support.TestApp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import picocli.CommandLine;

/**
 * {@code catalytic db copy}: an embedded installation with real history is moved to an empty PostgreSQL database;
 * the dry run changes nothing; afterwards the service runs on PostgreSQL with the same events, accounts, keys and
 * usage, its users log in with their passwords, and a second copy into the filled database is refused.
 */
class DbCopyTest {

    static final String DB = "cp_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    static JdbcTemplate admin;

    @TempDir
    static Path dataDir;

    @BeforeAll
    static void database() {
        admin = new JdbcTemplate(new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:5432/postgres",
                TestApp.pgUser(), ""));
        admin.execute("CREATE DATABASE " + DB);
    }

    @AfterAll
    static void drop() {
        admin.execute("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
    }

    record Run(int exit, String out) {
    }

    static Run cli(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true));
        // the key directory the PostgreSQL installation below is served with (not the embedded one's)
        System.setProperty("catalytic.auth.key-dir", TestApp.KEY_DIR.toString());
        try {
            return new Run(new CommandLine(new CatalyticMain()).execute(args), buffer.toString());
        } finally {
            System.clearProperty("catalytic.auth.key-dir");
            System.setOut(original);
        }
    }

    @Test
    void anEmbeddedInstallationMovesToPostgresql() throws Exception {
        Map<String, String> embedded = Map.of("server.port", "0", "CATALYTIC_DATA_DIR", dataDir.toString(),
                "REDIS_HOST", "", "DATABASE_URL", "", "catalytic.plans.free.users", "5");
        Account owner;
        String apiKey;
        long events;
        List<Map<String, Object>> users;
        try (TestApp app = TestApp.startWith(embedded)) {
            Http http = app.http();
            owner = Accounts.registerAndLogin(http, "copy");
            String[] auth = bearer(owner.accessToken());
            assertThat(http.post("/api/users", Map.of("email", Accounts.uniqueEmail("member"), "role", "member",
                    "password", Accounts.PASSWORD), auth).status()).isEqualTo(201);
            Http.Response key = http.post("/api/api-keys", Map.of("name", "ci", "scopes", List.of("users:read")),
                    auth);
            assertThat(key.status()).isEqualTo(201);
            apiKey = key.text("key");
            for (int i = 0; i < 3; i++) {
                assertThat(http.get("/api/users", "X-API-Key", apiKey).status()).isEqualTo(200);
            }
            Projections.awaitCaughtUp(app);
            events = app.jdbc().queryForObject("SELECT count(*) FROM domain_event_entry", Long.class);
            users = app.jdbc().queryForList("SELECT id, email, role, active FROM users ORDER BY id");
        }
        assertThat(events).isGreaterThan(5);
        JdbcTemplate source = new JdbcTemplate(new DriverManagerDataSource(RuntimeEnvironment.embeddedUrl(dataDir),
                "sa", ""));
        Long used = source.queryForObject("SELECT count(*) FROM api_keys WHERE last_used_at IS NOT NULL", Long.class);
        String to = "postgresql://" + TestApp.pgUser() + "@127.0.0.1:5432/" + DB;

        Run dry = cli("db", "copy", "--to", to, "--dry-run", "--data-dir", dataDir.toString());
        assertThat(dry.exit()).as(dry.out()).isZero();
        assertThat(dry.out()).contains("domain_event_entry: " + events + " rows").contains("nothing changed");
        JdbcTemplate target = new JdbcTemplate(new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:5432/" + DB,
                TestApp.pgUser(), ""));
        assertThat(target.queryForObject("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                + "'public'", Long.class)).as("the dry run created nothing").isZero();

        Run copy = cli("db", "copy", "--to", to, "--backup", "--data-dir", dataDir.toString());
        assertThat(copy.exit()).as(copy.out()).isZero();
        assertThat(copy.out()).contains("copied and checked: " + events + " events")
                .contains("subject_keys: 2 users' keys wrapped again");
        try (var files = Files.list(dataDir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.startsWith("catalytic-before-db-copy-"));
        }
        assertThat(target.queryForObject("SELECT count(*) FROM domain_event_entry", Long.class)).isEqualTo(events);
        assertThat(target.queryForList("SELECT id, email, role, active FROM users ORDER BY id")).isEqualTo(users);
        assertThat(target.queryForObject("SELECT count(*) FROM api_keys WHERE last_used_at IS NOT NULL", Long.class))
                .as("last use of the key carried over").isEqualTo(used);

        Run again = cli("db", "copy", "--to", to, "--data-dir", dataDir.toString());
        assertThat(again.exit()).isEqualTo(1);

        try (TestApp pg = TestApp.start("public", Map.of(
                "spring.datasource.url", "jdbc:postgresql://127.0.0.1:5432/" + DB,
                "spring.flyway.schemas", "public",
                "catalytic.redis.key-prefix", "test:" + DB + ":"))) {
            Account back = Accounts.login(pg.http(), owner.email(), Accounts.PASSWORD);
            Http.Response me = pg.http().get("/api/me", bearer(back.accessToken()));
            assertThat(me.status()).as(me.toString()).isEqualTo(200);
            assertThat(me.json().path("tenant").path("id").asText()).isEqualTo(owner.tenantId());
            assertThat(pg.http().get("/api/users", "X-API-Key", apiKey).status()).as("the key works").isEqualTo(200);
            Long before = pg.jdbc().queryForObject("SELECT max(global_index) FROM domain_event_entry", Long.class);
            assertThat(pg.http().post("/api/api-keys", Map.of("name", "after", "scopes", List.of("users:read")),
                    bearer(back.accessToken())).status()).as("new events append after the copied ones").isEqualTo(201);
            assertThat(pg.jdbc().queryForObject("SELECT max(global_index) FROM domain_event_entry", Long.class))
                    .isGreaterThan(before);
        }
    }
}
