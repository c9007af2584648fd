package com.catalytic.deploy.operations;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.CatalyticMain;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Processes;
import com.catalytic.deploy.support.Processes.Finished;
import com.catalytic.deploy.support.Projections;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.deploy.support.ThinJar;
import com.catalytic.infrastructure.secrets.Hashing;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code catalytic import legacy}: a SQLite database with the original service's schema (as its SQLAlchemy models
 * create it), holding good rows and malformed ones, is imported into a new installation. The dry run lists every
 * rejected row with its reason and changes nothing; the import keeps ids, times and the plan; a second run imports
 * nothing twice; the service then runs on the imported events: an imported user logs in with the old password
 * (which is then re-hashed with Argon2id), the tenant's aggregates take new commands, the audit chain verifies, the
 * imported API key authenticates.
 */
class LegacyImportTest {

    /** The original's bcrypt of {@link #OLD_PASSWORD}, made by crypt(3) (libxcrypt), as passlib's bcrypt writes. */
    static final String OLD_HASH = "$2b$12$UhmT86o3/JBjGqRByPycFO1S4PjtvvRaLOsOuG5AJCcKXJ2Q2cSxu";
    static final String OLD_PASSWORD = "Legacy-Passw0rd!";
    static final String OLD_KEY = "cc_live_0123456789abcdefghijklmnopqrstuv";

    static final String A = "a0000000-0000-4000-8000-000000000001";
    static final String B = "b0000000-0000-4000-8000-000000000001";
    static final String C = "c0000000-0000-4000-8000-000000000001";
    static final String D = "d0000000-0000-4000-8000-000000000001";
    static final String E_DASHLESS = "e0000000000040008000000000000001";
    static final String ALICE = "a1000000-0000-4000-8000-000000000001";
    static final String BOB = "a1000000-0000-4000-8000-000000000002";
    static final String CAROL = "a1000000-0000-4000-8000-000000000003";
    static final String A_SHARED = "a1000000-0000-4000-8000-000000000004";
    static final String A_DASHLESS = "a1000000000040008000000000000005";
    static final String A_BAD_JSON = "a1000000-0000-4000-8000-000000000006";
    static final String A_BOB_AGAIN = "a1000000-0000-4000-8000-000000000007";
    static final String A_PLAIN = "a1000000-0000-4000-8000-000000000008";
    static final String DAVE = "b1000000-0000-4000-8000-000000000001";
    static final String B_SHARED = "b1000000-0000-4000-8000-000000000002";
    static final String KEY = "a2000000-0000-4000-8000-000000000001";
    static final String LATTICE = "a3000000-0000-4000-8000-000000000001";
    static final String LATTICE_BAD = "a3000000-0000-4000-8000-000000000002";
    static final String LATTICE_GONE = "a3000000-0000-4000-8000-000000000003";

    static final String SCHEMA = TestApp.newSchema();

    @TempDir
    static Path dir;
    static Path legacy;
    static Path jar;

    @BeforeAll
    static void legacyDatabase() throws Exception {
        TestApp.adminJdbc().execute("CREATE SCHEMA " + SCHEMA);
        jar = ThinJar.write(dir.resolve("catalytic.jar"), CatalyticMain.class);
        legacy = dir.resolve("catalytic.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + legacy); Statement s = c.createStatement()) {
            for (String ddl : ORIGINAL_SCHEMA) {
                s.execute(ddl);
            }
            insert(c, "subscription_plans (id, name, code, price_monthly, features, limits, is_active, created_at)",
                    row("f0000000-0000-4000-8000-000000000001", "Professional", "professional", 99, "{}", "{}", 1, t("2023-01-01")),
                    row("f0000000-0000-4000-8000-000000000002", "Gold", "legacy_gold", 499, "{}", "{}", 1, t("2023-01-01")));
            insert(c, "tenants (id, slug, name, email, status, metadata, created_at, updated_at, deleted_at)",
                    row(A, "acme-corp", "Acme Corp", "ops@acme.example", "active", "{}", t("2023-03-01 09:15:00"), t("2023-03-01 09:15:00"), null),
                    row(B, "beta-labs", "Beta Labs", "ops@beta.example", "suspended", "{}", t("2023-04-01"), t("2023-09-01"), null),
                    row(C, "gone-inc", "Gone Inc", "ops@gone.example", "deleted", "{}", t("2023-02-01"), t("2024-01-01"), t("2024-01-01")),
                    row(D, "ownerless", "Ownerless", "ops@ownerless.example", "active", "{}", t("2023-02-02"), t("2023-02-02"), null),
                    row(E_DASHLESS, "dashless", "Dashless", "ops@dashless.example", "active", "{}", t("2023-02-03"), t("2023-02-03"), null));
            insert(c, "tenant_subscriptions (id, tenant_id, plan_id, status, created_at)",
                    row("a4000000-0000-4000-8000-000000000001", A, "f0000000-0000-4000-8000-000000000001", "cancelled", t("2023-03-01")),
                    row("a4000000-0000-4000-8000-000000000002", A, "f0000000-0000-4000-8000-000000000001", "active", t("2023-06-01")),
                    row("b4000000-0000-4000-8000-000000000001", B, "f0000000-0000-4000-8000-000000000002", "active", t("2023-04-01")));
            insert(c, "users (id, tenant_id, email, password_hash, role, is_active, metadata, created_at, updated_at)",
                    row(ALICE, A, "alice@acme.example", OLD_HASH, "owner", 1, "{}", t("2023-03-01 09:15:01"), t("2023-03-01 09:15:01")),
                    row(BOB, A, "bob@acme.example", OLD_HASH, "admin", 1, "{}", t("2023-03-02"), t("2023-03-02")),
                    row(CAROL, A, "carol@acme.example", OLD_HASH, "viewer", 0, "{}", t("2023-03-03"), t("2023-08-01")),
                    row(A_SHARED, A, "shared@example.com", OLD_HASH, "member", 1, "{}", t("2023-05-01"), t("2023-05-01")),
                    row(A_DASHLESS, A, "dashless@acme.example", OLD_HASH, "member", 1, "{}", t("2023-05-02"), t("2023-05-02")),
                    row(A_BAD_JSON, A, "eve@acme.example", OLD_HASH, "member", 1, "{not json", t("2023-05-03"), t("2023-05-03")),
                    row(A_BOB_AGAIN, A, "Bob@Acme.example", OLD_HASH, "member", 1, "{}", t("2023-05-04"), t("2023-05-04")),
                    row(A_PLAIN, A, "frank@acme.example", "hunter2", "member", 1, "{}", t("2023-05-05"), t("2023-05-05")),
                    row(DAVE, B, "dave@beta.example", OLD_HASH, "owner", 1, "{}", t("2023-04-01"), t("2023-04-01")),
                    row(B_SHARED, B, "shared@example.com", OLD_HASH, "member", 1, "{}", t("2023-04-01 12:00:00"), t("2023-04-01 12:00:00")),
                    row("c1000000-0000-4000-8000-000000000001", C, "ceo@gone.example", OLD_HASH, "owner", 1, "{}", t("2023-02-01"), t("2023-02-01")),
                    row("d1000000-0000-4000-8000-000000000001", D, "member@ownerless.example", OLD_HASH, "member", 1, "{}", t("2023-02-02"), t("2023-02-02")),
                    row("e1000000-0000-4000-8000-000000000001", E_DASHLESS, "owner@dashless.example", OLD_HASH, "owner", 1, "{}", t("2023-02-03"), t("2023-02-03")));
            insert(c, "api_keys (id, tenant_id, name, key_hash, key_prefix, permissions, is_active, created_by_id, created_at, updated_at)",
                    row(KEY, A, "ci", Hashing.sha256Hex(OLD_KEY), "cc_live_", "[\"read\"]", 1, BOB, t("2023-03-05"), t("2023-03-05")),
                    row("a2000000-0000-4000-8000-000000000002", A, "old", Hashing.sha256Hex("cc_live_retired_key_0000000000"), "cc_live_", "[\"write\"]", 0, ALICE, t("2023-03-06"), t("2023-07-01")),
                    row("a2000000-0000-4000-8000-000000000003", A, "broken", Hashing.sha256Hex("k3"), "cc_live_", "[read", 1, ALICE, t("2023-03-07"), t("2023-03-07")),
                    row("a2000000-0000-4000-8000-000000000004", A, "odd", Hashing.sha256Hex("k4"), "cc_live_", "[\"teleport\"]", 1, ALICE, t("2023-03-08"), t("2023-03-08")));
            insert(c, "tenant_lattices (id, tenant_id, name, dimensions, size, vertices, edges, memory_kb, metadata, is_active, created_by_id, created_at, updated_at)",
                    row(LATTICE, A, "grid", 2, 10, 100, 180, 1.5, "{}", 1, ALICE, t("2023-03-10"), t("2023-03-10")),
                    row(LATTICE_BAD, A, "cube", 3, 4, 64, 144, 2.0, "{\"a\":", 1, ALICE, t("2023-03-11"), t("2023-03-11")),
                    row(LATTICE_GONE, A, "line", 1, 5, 5, 4, 0.1, "{}", 0, ALICE, t("2023-03-12"), t("2023-04-12")));
            insert(c, "lattice_operations (id, tenant_id, lattice_id, operation_type, parameters, result, execution_time_ms, status, created_by_id, created_at)",
                    row("a5000000-0000-4000-8000-000000000001", A, LATTICE, "shortest_path", "{\"start\":[0,0],\"end\":[9,9]}", "{\"length\":18}", 12, "success", BOB, t("2023-03-15")),
                    row("a5000000-0000-4000-8000-000000000002", A, LATTICE, "shortest_path", "{}", "{}", 3, "failed", BOB, t("2023-03-16")),
                    row("a5000000-0000-4000-8000-000000000003", A, LATTICE_BAD, "shortest_path", "{}", "{}", 3, "success", BOB, t("2023-03-17")));
            insert(c, "api_logs (id, tenant_id, user_id, api_key_id, endpoint, method, status_code, response_time_ms, response_size_bytes, ip_address, created_at)",
                    row("a6000000-0000-4000-8000-000000000001", A, ALICE, null, "/api/v1/lattices", "GET", 200, 14, 512, "203.0.113.5", t("2023-03-20")),
                    row("a6000000-0000-4000-8000-000000000002", A, BOB, KEY, "/api/v1/lattices", "POST", 201, 40, 128, "203.0.113.6", t("2023-03-21")),
                    row("a6000000-0000-4000-8000-000000000003", A, null, null, "/api/v1/lattices/x", "GET", 404, 2, 64, null, t("2023-03-22")),
                    row("a6000000-0000-4000-8000-000000000004", A, null, null, "/api/v1/lattices", "GET", 200, 2, 64, null, "yesterday"),
                    row("a6000000-0000-4000-8000-000000000005", "f9000000-0000-4000-8000-000000000009", null, null, "/x", "GET", 200, 2, 64, null, t("2023-03-23")));
        }
    }

    @AfterAll
    static void drop() {
        TestApp.adminJdbc().execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }

    @Test
    void theOriginalDatabaseBecomesEventsAndItsUsersLogInWithTheirOldPasswords() throws Exception {
        String source = "sqlite:///" + legacy.toAbsolutePath();
        try (TestApp app = TestApp.start(SCHEMA, Map.of())) {
            var jdbc = app.jdbc();
            Finished dry = catalytic("import", "legacy", "--source", source, "--dry-run");
            assertThat(dry.exit()).as(dry.output()).isZero();
            assertThat(dry.output())
                    .contains("users " + A_DASHLESS + ": id '" + A_DASHLESS + "' is a UUID without dashes")
                    .contains("users " + A_BAD_JSON + ": metadata is not valid JSON")
                    .contains("users " + A_SHARED + ": e-mail shared@example.com is also user " + B_SHARED)
                    .contains("users " + A_BOB_AGAIN + ": e-mail bob@acme.example is also user " + BOB)
                    .contains("users " + A_PLAIN + ": password_hash is not a bcrypt hash")
                    .contains("tenants " + E_DASHLESS + ": id '" + E_DASHLESS + "' is a UUID without dashes")
                    .contains("users e1000000-0000-4000-8000-000000000001: tenant_id '" + E_DASHLESS + "' is a UUID without dashes")
                    .contains("tenants " + D + ": no importable user with the role owner")
                    .contains("users d1000000-0000-4000-8000-000000000001: its tenant " + D + " is not imported")
                    .contains("tenant_subscriptions b4000000-0000-4000-8000-000000000001: plan 'legacy_gold' has no counterpart")
                    .contains("api_keys a2000000-0000-4000-8000-000000000003: permissions is not valid JSON")
                    .contains("api_keys a2000000-0000-4000-8000-000000000004: permission 'teleport' has no counterpart")
                    .contains("tenant_lattices " + LATTICE_BAD + ": metadata is not valid JSON")
                    .contains("lattice_operations a5000000-0000-4000-8000-000000000003: its lattice " + LATTICE_BAD + " is not imported")
                    .contains("api_logs a6000000-0000-4000-8000-000000000004: created_at 'yesterday' is not a date and time")
                    .contains("api_logs a6000000-0000-4000-8000-000000000005: its tenant f9000000-0000-4000-8000-000000000009 does not exist")
                    .contains("rejected: 16 rows")
                    .contains("tenants " + C + ": deleted in the original service")
                    .contains("users c1000000-0000-4000-8000-000000000001: its tenant " + C + " is not imported (deleted")
                    .contains("tenant_subscriptions a4000000-0000-4000-8000-000000000001: status 'cancelled'")
                    .contains("lattice_operations a5000000-0000-4000-8000-000000000002: status 'failed'")
                    .contains("not carried over: 4 rows")
                    .contains("would import: 2 tenants (tenants 2, users 5, tenant_subscriptions 1, api_keys 2, "
                            + "tenant_lattices 2, lattice_operations 1, api_logs 3)")
                    .contains("dry run: nothing changed");
            assertThat(jdbc.queryForObject("SELECT count(*) FROM domain_event_entry", Long.class))
                    .as("the dry run stored nothing").isZero();

            Path backups = dir.resolve("backups");
            Finished run = catalytic("import", "legacy", "--source", source, "--backup", "--backup-dir",
                    backups.toString());
            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(run.output()).contains("imported: 2 tenants (tenants 2, users 5, tenant_subscriptions 1, "
                    + "api_keys 2, tenant_lattices 2, lattice_operations 1, api_logs 3)").contains("rejected: 16 rows")
                    .contains("import 100%");
            try (var files = Files.list(backups)) {
                assertThat(files.filter(f -> f.getFileName().toString().startsWith("catalytic-before-import-")))
                        .as("the backup before the import").singleElement()
                        .satisfies(f -> assertThat(Files.size(f)).isPositive());
            }
            long stored = jdbc.queryForObject("SELECT count(*) FROM domain_event_entry", Long.class);
            assertThat(jdbc.queryForObject("SELECT time_stamp FROM domain_event_entry WHERE aggregate_identifier = ? "
                    + "AND sequence_number = 0", String.class, A)).as("the tenant keeps its time")
                    .startsWith("2023-03-01T09:15:00");
            assertThat(jdbc.queryForObject("SELECT created_at FROM users WHERE id = ?", java.sql.Timestamp.class, BOB)
                    .toInstant()).as("so do its users").isEqualTo(java.time.Instant.parse("2023-03-02T00:00:00Z"));

            Finished again = catalytic("import", "legacy", "--source", source);
            assertThat(again.exit()).as(again.output()).isZero();
            assertThat(again.output()).contains("imported: 0 tenants").contains("already imported by an earlier "
                    + "run, left alone: 2 tenants");
            assertThat(jdbc.queryForObject("SELECT count(*) FROM domain_event_entry", Long.class))
                    .as("nothing twice").isEqualTo(stored);

            Projections.awaitCaughtUp(app);
            Http http = app.http();
            assertThat(http.post("/auth/login", Map.of("email", "alice@acme.example", "password", "wrong-"
                    + OLD_PASSWORD)).status()).as("a wrong password still fails").isEqualTo(401);
            Account alice = Accounts.login(http, "alice@acme.example", OLD_PASSWORD);
            assertThat(jdbc.queryForObject("SELECT password_hash FROM users WHERE id = ?", String.class, ALICE))
                    .as("re-hashed with Argon2id at the login").startsWith("$argon2id$");
            assertThat(jdbc.queryForObject("SELECT password_hash FROM users WHERE id = ?", String.class, BOB))
                    .as("others keep their hash until they log in").isEqualTo(OLD_HASH);
            Accounts.login(http, "alice@acme.example", OLD_PASSWORD);

            String[] auth = bearer(alice.accessToken());
            Http.Response me = http.get("/api/me", auth);
            assertThat(me.status()).as(me.toString()).isEqualTo(200);
            assertThat(me.json().path("tenant").path("id").asText()).isEqualTo(A);
            assertThat(me.json().path("tenant").path("plan").asText()).as(me.toString()).isEqualTo("professional");

            Http.Response users = http.get("/api/users", auth);
            assertThat(users.status()).isEqualTo(200);
            assertThat(ids(users.json().path("users"))).containsExactlyInAnyOrder(ALICE, BOB, CAROL);
            assertThat(jdbc.queryForObject("SELECT active FROM users WHERE id = ?", Boolean.class, CAROL))
                    .as("inactive in the original, deactivated here").isFalse();

            assertThat(http.get("/api/lattices/" + LATTICE, auth).status()).isEqualTo(200);
            assertThat(http.get("/api/lattices/" + LATTICE_GONE, auth).status()).as("inactive: deleted").isEqualTo(404);
            Http.Response ops = http.get("/api/lattices/" + LATTICE + "/operations", auth);
            assertThat(ops.raw()).as(ops.toString()).contains("a5000000-0000-4000-8000-000000000001")
                    .doesNotContain("a5000000-0000-4000-8000-000000000002");

            Http.Response byKey = http.get("/api/lattices", "X-API-Key", OLD_KEY);
            assertThat(byKey.status()).as("the original's API key works: " + byKey).isEqualTo(200);
            assertThat(http.get("/api/lattices", "X-API-Key", OLD_KEY + "x").status()).isEqualTo(401);

            Http.Response added = http.post("/api/users", Map.of("email", Accounts.uniqueEmail("new"), "role",
                    "member", "password", Accounts.PASSWORD), auth);
            assertThat(added.status()).as("the imported tenant takes new commands: " + added).isEqualTo(201);

            Account fresh = Accounts.registerAndLogin(http, "after-import");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(jdbc.queryForObject("SELECT count(*) FROM mail_queue WHERE recipient = ?", Long.class,
                        fresh.email())).as("a tenant signing up now is welcomed").isEqualTo(1);
                assertThat(jdbc.queryForList("SELECT id FROM usage_logs WHERE tenant_id = ? AND occurred_at < ?",
                        String.class, A, java.sql.Timestamp.from(java.time.Instant.parse("2024-01-01T00:00:00Z"))))
                        .as("the API call history, with its ids").containsExactlyInAnyOrder(
                                "a6000000-0000-4000-8000-000000000001", "a6000000-0000-4000-8000-000000000002",
                                "a6000000-0000-4000-8000-000000000003");
                Http.Response verify = http.get("/api/audit-logs/verify", auth);
                assertThat(verify.json().path("valid").asBoolean()).as(verify.toString()).isTrue();
                assertThat(verify.json().path("checked").asLong()).as(verify.toString()).isGreaterThan(10);
            });
            assertThat(jdbc.queryForObject("SELECT count(*) FROM mail_queue WHERE recipient IN (?, ?, ?)", Long.class,
                    "alice@acme.example", "dave@beta.example", "bob@acme.example"))
                    .as("the imported history, processed before that sign-up, sent nothing").isZero();

            assertThat(jdbc.queryForObject("SELECT status FROM tenants WHERE id = ?", String.class, B))
                    .isEqualTo("suspended");
            assertThat(jdbc.queryForObject("SELECT plan FROM tenants WHERE id = ?", String.class, B))
                    .as("its subscription's plan was rejected: free").isEqualTo("free");
            assertThat(jdbc.queryForObject("SELECT count(*) FROM tenants WHERE id IN (?, ?)", Long.class, C, D))
                    .isZero();
        }
    }

    @Test
    void aSourceThatIsNotTheOriginalDatabaseIsRefusedWithItsReason() throws Exception {
        Path notOriginal = dir.resolve("other.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + notOriginal); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)");
        }
        Map<String, String> refusals = Map.of(
                "sqlite:///" + notOriginal.toAbsolutePath(), "has no table 'tenants': it is not a database of the "
                        + "original service",
                "sqlite:///" + dir.resolve("missing.db").toAbsolutePath(), "no readable file at",
                "postgresql://db/app", "only a SQLite source",
                "sqlite://relative.db", "three slashes before a relative path");
        for (Map.Entry<String, String> r : refusals.entrySet()) {
            Refusal refused = inProcess("import", "legacy", "--source", r.getKey(), "--dry-run");
            assertThat(refused.exit()).as(r.getKey() + ": " + refused.err()).isEqualTo(2);
            assertThat(refused.err()).as(r.getKey()).contains(r.getValue());
        }
        Refusal good = inProcess("import", "legacy", "--source", "sqlite:///" + legacy.toAbsolutePath(), "--dry-run");
        assertThat(good.exit()).as("the original database passes the same checks: " + good.err()).isZero();
    }

    record Refusal(int exit, String err) {
    }

    /** The command line in this JVM, against the test schema, with what it writes to stderr. */
    static Refusal inProcess(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--database-url", TestApp.pgUrl() + (TestApp.pgUrl().contains("?") ? "&" : "?")
                + "currentSchema=" + SCHEMA + "&user=" + TestApp.pgUser()));
        PrintStream original = System.err;
        PrintStream originalOut = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true));
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true));
        try {
            int exit = new CommandLine(new CatalyticMain()).execute(all.toArray(String[]::new));
            return new Refusal(exit, buffer.toString());
        } finally {
            System.setErr(original);
            System.setOut(originalOut);
        }
    }

    /** {@code bin/catalytic ARGS} in a JVM of its own, against the test schema, with this build's jar. */
    static Finished catalytic(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of("bin", "catalytic").toAbsolutePath().toString());
        command.addAll(List.of(args));
        return Processes.run(command, dir, e -> {
            e.put("CATALYTIC_JAR", jar.toString());
            e.put("DATABASE_URL", "postgresql://" + TestApp.pgUser() + "@127.0.0.1:5432/test?currentSchema=" + SCHEMA);
            e.put("CATALYTIC_DATA_DIR", dir.resolve("cli-data").toString());
            // the database encryption key of the service the test starts (TestApp): it opens what the import seals
            e.put("DB_ENCRYPTION_KEY_PATH", TestApp.databaseKey().toString());
            e.put("REDIS_HOST", TestApp.redisHost());
            e.put("REDIS_PORT", TestApp.redisPort());
        }, Duration.ofMinutes(3));
    }

    private static List<String> ids(JsonNode list) {
        return StreamSupport.stream(list.spliterator(), false).map(u -> u.path("id").asText()).toList();
    }

    private static String t(String time) {
        return time.length() == 10 ? time + " 00:00:00.000000" : time + ".000000";
    }

    private static Object[] row(Object... values) {
        return values;
    }

    private static void insert(Connection c, String into, Object[]... rows) throws Exception {
        int columns = into.substring(into.indexOf('(') + 1, into.indexOf(')')).split(",").length;
        String marks = String.join(", ", java.util.Collections.nCopies(columns, "?"));
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + into + " VALUES (" + marks + ")")) {
            for (Object[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    ps.setObject(i + 1, r[i]);
                }
                ps.executeUpdate();
            }
        }
    }

    /** The tables of the original service as its SQLAlchemy models create them on SQLite. */
    static final List<String> ORIGINAL_SCHEMA = List.of("""
            CREATE TABLE tenants (
                id VARCHAR(36) NOT NULL, slug VARCHAR(50) NOT NULL, name VARCHAR(255) NOT NULL,
                email VARCHAR(255) NOT NULL, domain VARCHAR(255), status VARCHAR(20), metadata JSON,
                created_at DATETIME, updated_at DATETIME, deleted_at DATETIME,
                PRIMARY KEY (id),
                CONSTRAINT unique_active_email UNIQUE (email, deleted_at),
                CONSTRAINT valid_tenant_status CHECK (status IN ('active', 'suspended', 'deleted')))""",
            "CREATE UNIQUE INDEX ix_tenants_slug ON tenants (slug)", """
            CREATE TABLE subscription_plans (
                id VARCHAR(36) NOT NULL, name VARCHAR(100) NOT NULL, code VARCHAR(50) NOT NULL, description TEXT,
                price_monthly NUMERIC(10, 2) NOT NULL, price_yearly NUMERIC(10, 2), features JSON NOT NULL,
                limits JSON NOT NULL, is_active BOOLEAN, created_at DATETIME, updated_at DATETIME,
                PRIMARY KEY (id), UNIQUE (code))""", """
            CREATE TABLE tenant_subscriptions (
                id VARCHAR(36) NOT NULL, tenant_id VARCHAR(36) NOT NULL, plan_id VARCHAR(36) NOT NULL,
                status VARCHAR(20), trial_ends_at DATETIME, current_period_start DATETIME,
                current_period_end DATETIME, cancel_at_period_end BOOLEAN, cancelled_at DATETIME,
                created_at DATETIME, updated_at DATETIME,
                PRIMARY KEY (id),
                CONSTRAINT one_active_subscription UNIQUE (tenant_id, status),
                CONSTRAINT valid_subscription_status CHECK (status IN ('active', 'trial', 'past_due', 'cancelled', 'expired')),
                FOREIGN KEY(tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
                FOREIGN KEY(plan_id) REFERENCES subscription_plans (id))""", """
            CREATE TABLE users (
                id VARCHAR(36) NOT NULL, tenant_id VARCHAR(36) NOT NULL, email VARCHAR(255) NOT NULL,
                username VARCHAR(100), password_hash VARCHAR(255) NOT NULL, first_name VARCHAR(100),
                last_name VARCHAR(100), role VARCHAR(50), is_active BOOLEAN, email_verified BOOLEAN,
                last_login DATETIME, metadata JSON, created_at DATETIME, updated_at DATETIME,
                PRIMARY KEY (id),
                CONSTRAINT unique_email_per_tenant UNIQUE (tenant_id, email),
                CONSTRAINT valid_user_role CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
                FOREIGN KEY(tenant_id) REFERENCES tenants (id) ON DELETE CASCADE)""",
            "CREATE INDEX idx_users_email ON users (email)", """
            CREATE TABLE api_keys (
                id VARCHAR(36) NOT NULL, tenant_id VARCHAR(36) NOT NULL, name VARCHAR(255) NOT NULL,
                key_hash VARCHAR(255) NOT NULL, key_prefix VARCHAR(10) NOT NULL, permissions JSON,
                last_used_at DATETIME, expires_at DATETIME, is_active BOOLEAN, created_by_id VARCHAR(36),
                created_at DATETIME, updated_at DATETIME,
                PRIMARY KEY (id), UNIQUE (key_hash),
                FOREIGN KEY(tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
                FOREIGN KEY(created_by_id) REFERENCES users (id))""", """
            CREATE TABLE tenant_lattices (
                id VARCHAR(36) NOT NULL, tenant_id VARCHAR(36) NOT NULL, name VARCHAR(255),
                dimensions INTEGER NOT NULL, size INTEGER NOT NULL, vertices INTEGER NOT NULL, edges INTEGER NOT NULL,
                memory_kb NUMERIC(10, 2), memory_reduction NUMERIC(10, 2), metadata JSON, is_active BOOLEAN,
                created_by_id VARCHAR(36), created_at DATETIME, updated_at DATETIME, last_accessed_at DATETIME,
                PRIMARY KEY (id),
                CONSTRAINT valid_dimensions CHECK (dimensions > 0 AND dimensions <= 10),
                CONSTRAINT valid_size CHECK (size > 0),
                FOREIGN KEY(tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
                FOREIGN KEY(created_by_id) REFERENCES users (id))""", """
            CREATE TABLE lattice_operations (
                id VARCHAR(36) NOT NULL, tenant_id VARCHAR(36) NOT NULL, lattice_id VARCHAR(36),
                operation_type VARCHAR(50) NOT NULL, parameters JSON, result JSON, execution_time_ms INTEGER,
                status VARCHAR(20), error_message TEXT, created_by_id VARCHAR(36), created_at DATETIME,
                PRIMARY KEY (id),
                FOREIGN KEY(tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
                FOREIGN KEY(lattice_id) REFERENCES tenant_lattices (id) ON DELETE CASCADE,
                FOREIGN KEY(created_by_id) REFERENCES users (id))""", """
            CREATE TABLE api_logs (
                id VARCHAR(36) NOT NULL, tenant_id VARCHAR(36) NOT NULL, user_id VARCHAR(36),
                api_key_id VARCHAR(36), endpoint VARCHAR(255) NOT NULL, method VARCHAR(10) NOT NULL,
                status_code INTEGER, response_time_ms INTEGER, request_size_bytes INTEGER,
                response_size_bytes INTEGER, ip_address VARCHAR(45), error_message TEXT, created_at DATETIME,
                PRIMARY KEY (id),
                FOREIGN KEY(tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
                FOREIGN KEY(user_id) REFERENCES users (id),
                FOREIGN KEY(api_key_id) REFERENCES api_keys (id))""");
}
