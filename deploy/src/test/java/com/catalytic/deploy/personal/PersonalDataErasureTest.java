package com.catalytic.deploy.personal;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Cli;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Projections;
import com.catalytic.deploy.support.Receiver;
import com.catalytic.deploy.support.TestApp;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Erasure by crypto-shredding: a member's address, IP address and user agent are in events, audit entries, a
 * webhook delivery, a queued e-mail and a replayable answer; after the erasure, and a rebuild of every projection,
 * no column of any table holds the address (plain or Base64), the member cannot sign in, and the audit chain
 * verifies as before. Every absence is checked beside a presence: the same scan finds the address before, and
 * finds the owner's address after.
 */
class PersonalDataErasureTest {

    private static final String AGENT = "ErasureProbe/1.0 (" + UUID.randomUUID() + ")";

    private static String schema;
    private static TestApp app;
    private static Http http;
    private static Receiver receiver;

    @BeforeAll
    static void start() {
        receiver = new Receiver();
        schema = TestApp.newSchema();
        // a node keeps a key it read for the cache's lifetime (30 s by default): an erasure by another process
        // (the command line) reaches this one's reads after it
        app = TestApp.start(schema, Map.of("catalytic.webhooks.allow-private-targets", "true",
                "catalytic.personal-data.key-cache-ttl", "2s"));
        http = app.http();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        receiver.close();
    }

    @Test
    void anErasedMembersAddressIsInNoColumnOfAnyTableAndTheAuditChainStillVerifies() {
        Account owner = Accounts.registerAndLogin(http, "erasure");
        Accounts.changePlan(app, owner.tenantId(), "professional"); // seats for a team
        Response hook = http.post("/api/webhooks", Map.of("url", receiver.url("/hook"), "event_types",
                List.of("user.added", "user.personal_data_erased")), bearer(owner.accessToken()));
        assertThat(hook.status()).as(hook.toString()).isEqualTo(201);
        String address = Accounts.uniqueEmail("subject");
        Response added = http.post("/api/users", Map.of("email", address, "role", "admin", "password",
                Accounts.PASSWORD), "Authorization", "Bearer " + owner.accessToken(), "Idempotency-Key", "add-subject");
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        String subjectId = added.text("id");
        Account subject = login(address);
        Response key = http.post("/api/api-keys", Map.of("name", "subject's key", "scopes", List.of("users:read")),
                "Authorization", "Bearer " + subject.accessToken(), "User-Agent", AGENT);
        assertThat(key.status()).as(key.toString()).isEqualTo(201);
        assertThat(http.post("/auth/password-reset", Map.of("email", address)).status()).isEqualTo(202);
        JdbcTemplate db = app.jdbc();
        await().atMost(Duration.ofSeconds(30)).until(() -> count(db, "SELECT COUNT(*) FROM mail_queue WHERE "
                + "recipient = ?", address) == 1 && count(db, "SELECT COUNT(*) FROM webhook_deliveries WHERE "
                + "tenant_id = ? AND event_type = 'user.added'", owner.tenantId()) == 1);
        Projections.awaitCaughtUp(app);

        // before: the address is in the read tables and the outboxes; the events, audit entries, snapshots and the
        // replayable answer hold it sealed only; the user agent is nowhere in plain
        assertThat(holders(db, address)).contains("users.email", "mail_queue.recipient", "webhook_deliveries.payload",
                "unique_claims.claim_value").noneMatch(c -> c.startsWith("domain_event_entry.")
                || c.startsWith("audit_logs.") || c.startsWith("snapshot_event_entry.")
                || c.startsWith("idempotency_keys."));
        assertThat(count(db, "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = 'add-subject'")).isEqualTo(1);
        assertThat(holders(db, AGENT)).isEmpty();
        JsonNode before = http.get("/api/users/" + subjectId + "/personal-data", bearer(owner.accessToken())).json();
        assertThat(before.path("email").asText()).isEqualTo(address);
        assertThat(before.path("erased").asBoolean()).isFalse();
        assertThat(before.path("activity").findValuesAsText("user_agent")).contains(AGENT);
        assertThat(before.path("activity").findValuesAsText("ip")).contains("127.0.0.1");
        assertThat(http.get("/api/users/" + subjectId + "/personal-data", bearer(subject.accessToken())).status())
                .as("the subject's own access request").isEqualTo(200);

        // another tenant's owner can neither read nor erase them
        Account stranger = Accounts.registerAndLogin(http, "stranger");
        assertThat(http.get("/api/users/" + subjectId + "/personal-data", bearer(stranger.accessToken())).status())
                .isEqualTo(404);
        assertThat(http.method("DELETE", "/api/users/" + subjectId + "/personal-data", null,
                bearer(stranger.accessToken())).status()).isEqualTo(404);
        // nor can an admin of the subject's own tenant
        assertThat(http.method("DELETE", "/api/users/" + owner.userId() + "/personal-data", null,
                bearer(subject.accessToken())).status()).isEqualTo(403);

        Response erased = http.method("DELETE", "/api/users/" + subjectId + "/personal-data", null,
                bearer(owner.accessToken()));
        assertThat(erased.status()).as(erased.toString()).isEqualTo(204);
        assertThat(http.method("DELETE", "/api/users/" + subjectId + "/personal-data", null,
                bearer(owner.accessToken())).status()).as("erasing again").isEqualTo(204);
        Response signIn = http.post("/auth/login", Map.of("email", address, "password", Accounts.PASSWORD));
        assertThat(signIn.status()).as(signIn.toString()).isEqualTo(401);
        assertThat(http.get("/api/users/" + subjectId, bearer(owner.accessToken())).status()).isEqualTo(404);
        JsonNode after = http.get("/api/users/" + subjectId + "/personal-data", bearer(owner.accessToken())).json();
        assertThat(after.path("email").asText()).isEqualTo("[erased]");
        assertThat(after.path("erased").asBoolean()).isTrue();
        assertThat(after.path("activity").findValuesAsText("user_agent")).isNotEmpty().containsOnly("[erased]");
        assertThat(after.toString()).doesNotContain(address).doesNotContain(AGENT);

        // the tenant's systems are told, by id
        await().atMost(Duration.ofSeconds(30)).until(() -> count(db, "SELECT COUNT(*) FROM webhook_deliveries WHERE "
                + "tenant_id = ? AND event_type = 'user.personal_data_erased' AND payload LIKE ?", owner.tenantId(),
                "%\"user_id\":\"" + subjectId + "\"%") == 1);

        // every projection rebuilt from the events, and the audit trail exported
        Projections.awaitCaughtUp(app);
        Cli.Result rebuild = Cli.run(schema, "projections", "rebuild", "--no-progress");
        assertThat(rebuild.code()).as(rebuild.out()).isZero();
        Response export = http.get("/api/audit-logs/export?format=ndjson", bearer(owner.accessToken()));
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.raw()).contains("user.personal_data_erased").contains(owner.tenantId())
                .doesNotContain(address).doesNotContain(base64Forms(address).get(0));
        JsonNode audit = http.get("/api/audit-logs?limit=500", bearer(owner.accessToken())).json().path("audit_logs");
        assertThat(audit.findValuesAsText("user_agent")).contains("[erased]");
        assertThat(audit.findValuesAsText("ip")).as("the owner's own entries keep their address").contains("127.0.0.1");

        assertThat(holders(db, address)).as("columns holding the erased address").isEmpty();
        assertThat(count(db, "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = 'add-subject'"))
                .as("the replayable answer showing the address, dropped").isZero();
        assertThat(holders(db, AGENT)).isEmpty();
        assertThat(holders(db, owner.email())).as("the owner, not erased").contains("users.email");
        assertThat(count(db, "SELECT COUNT(*) FROM audit_logs WHERE tenant_id = ?", owner.tenantId()))
                .isGreaterThan(5);

        JsonNode verify = http.get("/api/audit-logs/verify", bearer(owner.accessToken())).json();
        assertThat(verify.path("valid").asBoolean()).as(verify.toString()).isTrue();
        Cli.Result cli = Cli.run(schema, "audit", "verify", "--tenant", owner.tenantId());
        assertThat(cli.code()).as(cli.out()).isZero();
        assertThat(cli.out()).contains("all intact");
        // the owner still signs in
        assertThat(login(owner.email()).accessToken()).isNotBlank();
    }

    @Test
    void operatorsEraseAUserFromTheCommandLine() {
        Account owner = Accounts.registerAndLogin(http, "operator-erasure");
        Accounts.changePlan(app, owner.tenantId(), "professional");
        String address = Accounts.uniqueEmail("cli-subject");
        Response added = http.post("/api/users", Map.of("email", address, "role", "member", "password",
                Accounts.PASSWORD), bearer(owner.accessToken()));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        String subjectId = added.text("id");
        assertThat(login(address).accessToken()).isNotBlank();

        Cli.Result unknown = Cli.run(schema, "gdpr", "erase", "--user", UUID.randomUUID().toString());
        assertThat(unknown.code()).isEqualTo(1);
        Cli.Result done = Cli.run(schema, "gdpr", "erase", "--user", subjectId);
        assertThat(done.code()).as(done.out()).isZero();
        assertThat(done.out()).contains("personal data of user " + subjectId + " (tenant " + owner.tenantId()
                + ") erased");

        assertThat(http.post("/auth/login", Map.of("email", address, "password", Accounts.PASSWORD)).status())
                .isEqualTo(401);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode after = http.get("/api/users/" + subjectId + "/personal-data", bearer(owner.accessToken()))
                    .json();
            assertThat(after.path("erased").asBoolean()).as(after.toString()).isTrue();
        });
        assertThat(holders(app.jdbc(), address)).isEmpty();
    }

    @Test
    void aNodeWithAnotherDatabaseEncryptionKeyRefusesToStart(@TempDir Path dir) {
        Account owner = Accounts.registerAndLogin(http, "wrapped");
        assertThat(count(app.jdbc(), "SELECT COUNT(*) FROM subject_keys WHERE subject_id = ? AND wrapped_key IS NOT "
                + "NULL", owner.userId())).as("the owner's key, wrapped by the running node's").isEqualTo(1);
        Path other = TestApp.writeDatabaseKey(dir.resolve("other.key"));
        assertThatThrownBy(() -> TestApp.start(schema, Map.of("catalytic.personal-data.key-path", other.toString())))
                .rootCause().hasMessageContaining("other.key").hasMessageContaining("is not the one that wrapped");
    }

    private static Account login(String email) {
        return Accounts.login(http, email, Accounts.PASSWORD);
    }

    private static long count(JdbcTemplate db, String sql, Object... args) {
        Long n = db.queryForObject(sql, Long.class, args);
        return n == null ? 0 : n;
    }

    /** Every text and bytea column of every table of the schema holding {@code value}, plain or Base64. */
    private static List<String> holders(JdbcTemplate db, String value) {
        List<String> needles = new ArrayList<>(base64Forms(value));
        needles.add(value);
        List<String> found = new ArrayList<>();
        List<Map<String, Object>> columns = db.queryForList("SELECT table_name, column_name, data_type FROM "
                + "information_schema.columns WHERE table_schema = ? AND data_type IN ('text', 'character varying', "
                + "'bytea', 'character')", schema);
        assertThat(columns).as("columns of schema %s", schema).hasSizeGreaterThan(50);
        for (Map<String, Object> c : columns) {
            String table = c.get("table_name").toString();
            String column = c.get("column_name").toString();
            boolean bytes = "bytea".equals(c.get("data_type"));
            List<String> values = db.query("SELECT \"" + column + "\" FROM \"" + schema + "\".\"" + table
                    + "\" WHERE \"" + column + "\" IS NOT NULL", (rs, i) -> bytes
                    ? new String(rs.getBytes(1), StandardCharsets.ISO_8859_1) : rs.getString(1));
            for (String text : values) {
                if (needles.stream().anyMatch(text::contains)) {
                    found.add(table + "." + column);
                    break;
                }
            }
        }
        return found;
    }

    /**
     * The value as it shows inside Base64 (standard and URL-safe) at each of the three byte alignments it can
     * start at: the characters that depend on the value alone.
     */
    private static List<String> base64Forms(String value) {
        List<String> forms = new ArrayList<>();
        byte[] raw = value.getBytes(StandardCharsets.UTF_8);
        for (int shift = 0; shift < 3; shift++) {
            byte[] padded = new byte[shift + raw.length];
            System.arraycopy(raw, 0, padded, shift, raw.length);
            String encoded = Base64.getEncoder().encodeToString(padded);
            int from = (shift * 4 + 2) / 3;
            String core = encoded.substring(from, encoded.length() - 4);
            forms.add(core);
            forms.add(core.replace('+', '-').replace('/', '_'));
        }
        return forms;
    }
}
