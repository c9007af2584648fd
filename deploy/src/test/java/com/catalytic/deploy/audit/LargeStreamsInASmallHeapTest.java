package com.catalytic.deploy.audit;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.CatalyticMain;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.ChildApp;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.projections.audit.AuditChain;
import com.catalytic.projections.audit.AuditChain.Entry;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * A tenant's audit chain of 200,000 entries and a session of 200,000 events, served by the application running in
 * a JVM with a 256 MiB heap (that exits on OutOfMemoryError): the export (NDJSON and CSV), the verification, the
 * operator's {@code audit verify} and the history read them in bounded pages, whatever the length of the chain.
 */
class LargeStreamsInASmallHeapTest {

    static final int ENTRIES = 200_000;
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    static String schema;
    static ChildApp app;
    static SingleConnectionDataSource db;
    static JdbcTemplate jdbc;

    @BeforeAll
    static void start() {
        schema = TestApp.newSchema();
        // the test's one connection, held from the start (the schema's tables appear once the service has started)
        db = new SingleConnectionDataSource(ChildApp.jdbcUrl(schema), TestApp.pgUser(), "", true);
        jdbc = new JdbcTemplate(db);
        jdbc.execute("SELECT 1");
        app = ChildApp.start(schema, dir, List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"), Map.of());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        try {
            if (app != null) {
                app.close();
            }
        } finally {
            if (jdbc != null) {
                jdbc.execute("DROP SCHEMA " + schema + " CASCADE"); // a few hundred MB no other test needs
                db.destroy();
            }
        }
    }

    @Test
    void exportAndVerificationOf200000EntriesCompleteInASmallHeap() throws Exception {
        Account owner = Accounts.registerAndLogin(app.http(), "big-audit");
        String[] auth = bearer(owner.accessToken());
        awaitAuditCaughtUp();
        Map<String, Object> head = jdbc.queryForMap("SELECT seq, hash FROM audit_heads WHERE tenant_id = ?",
                owner.tenantId());
        long total = ((Number) head.get("seq")).longValue() + ENTRIES;
        String headHash = appendEntries(owner, ((Number) head.get("seq")).longValue(), (String) head.get("hash"));

        Download ndjson = download("/api/audit-logs/export?format=ndjson", auth);
        assertThat(ndjson.status()).as(ndjson.firstLine()).isEqualTo(200);
        assertThat(ndjson.lines()).isEqualTo(total);
        assertThat(Http.JSON.readTree(ndjson.firstLine()).path("seq").asLong()).isEqualTo(1);
        JsonNode last = Http.JSON.readTree(ndjson.lastLine());
        assertThat(last.path("seq").asLong()).isEqualTo(total);
        assertThat(last.path("hash").asText()).isEqualTo(headHash);

        Download csv = download("/api/audit-logs/export?format=csv", auth);
        assertThat(csv.status()).as(csv.firstLine()).isEqualTo(200);
        assertThat(csv.lines()).as("header and entries").isEqualTo(total + 1);
        assertThat(csv.firstLine()).startsWith("id,seq,");
        assertThat(csv.lastLine()).contains("," + total + ",", headHash);

        Download verify = download("/api/audit-logs/verify", auth);
        assertThat(verify.status()).as(verify.firstLine()).isEqualTo(200);
        JsonNode result = Http.JSON.readTree(verify.firstLine());
        assertThat(result.path("valid").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.path("checked").asLong()).isEqualTo(total);
        assertThat(result.path("head_hash").asText()).isEqualTo(headHash);
        assertThat(app.alive()).as("the service survived; its log ends: %s", app.logTail()).isTrue();
        assertThat(app.log()).doesNotContain("OutOfMemoryError");

        // the operator's command, in a JVM of its own with a smaller heap still
        CliRun cli = cli(List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError"), "audit", "verify", "--tenant",
                owner.tenantId(), "--database-url", ChildApp.jdbcUrl(schema) + "&user=" + TestApp.pgUser());
        assertThat(cli.code()).as(cli.out()).isZero();
        assertThat(cli.out()).contains("OK", owner.tenantId(), total + " entries", headHash);
    }

    @Test
    void historyOfASessionWith200000EventsIsPagedAndFoldedInASmallHeap() throws Exception {
        Account owner = Accounts.registerAndLogin(app.http(), "big-history");
        String[] auth = bearer(owner.accessToken());
        String sessionId = owner.refreshToken().substring(0, owner.refreshToken().indexOf('.'));
        Response refreshed = app.http().post("/auth/refresh", Map.of("refresh_token", owner.refreshToken()));
        assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM domain_event_entry WHERE aggregate_identifier = ?",
                Long.class, sessionId)).as("started and rotated once").isEqualTo(2);
        // the rotation, stored again as events 2..200,001 of the session; their global indexes are negative, so the
        // streaming projections (past them) do not spend the test replaying them
        int copied = jdbc.update("INSERT INTO domain_event_entry (global_index, event_identifier, aggregate_identifier, "
                + "sequence_number, type, time_stamp, payload_type, payload_revision, payload, meta_data) "
                + "SELECT -g, gen_random_uuid()::text, aggregate_identifier, sequence_number + g, type, time_stamp, "
                + "payload_type, payload_revision, payload, meta_data FROM domain_event_entry, "
                + "generate_series(1, ?) g WHERE aggregate_identifier = ? AND sequence_number = 1", ENTRIES, sessionId);
        assertThat(copied).isEqualTo(ENTRIES);
        long lastSequence = ENTRIES + 1;
        String path = "/api/history/session/" + sessionId;

        Response first = app.http().get(path + "?limit=1000", auth);
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        JsonNode events = first.json().path("events");
        assertThat(events.size()).isEqualTo(1000);
        assertThat(events.path(0).path("type").asText()).isEqualTo("SessionStartedEvent");
        assertThat(events.path(0).path("sequence").asLong()).isZero();
        assertThat(events.path(999).path("sequence").asLong()).isEqualTo(999);
        assertThat(first.text("next_cursor")).isEqualTo("999");

        Response second = app.http().get(path + "?limit=1000&cursor=999", auth);
        assertThat(second.status()).as(second.toString()).isEqualTo(200);
        assertThat(second.json().path("events").path(0).path("sequence").asLong()).isEqualTo(1000);

        Response end = app.http().get(path + "?cursor=" + (lastSequence - 3), auth);
        assertThat(end.status()).as(end.toString()).isEqualTo(200);
        List<Long> sequences = new ArrayList<>();
        end.json().path("events").forEach(e -> sequences.add(e.path("sequence").asLong()));
        assertThat(sequences).containsExactly(lastSequence - 2, lastSequence - 1, lastSequence);
        assertThat(end.json().path("next_cursor").isNull()).as(end.toString()).isTrue();

        Download state = download(path + "/state", auth);
        assertThat(state.status()).as(state.firstLine()).isEqualTo(200);
        JsonNode folded = Http.JSON.readTree(state.firstLine());
        assertThat(folded.path("version").asLong()).as("every event folded").isEqualTo(lastSequence);
        assertThat(folded.path("state").path("session_id").asText()).isEqualTo(sessionId);
        assertThat(folded.path("state").path("revoked").asBoolean()).isFalse();
        assertThat(app.alive()).as("the service survived; its log ends: %s", app.logTail()).isTrue();
        assertThat(app.log()).doesNotContain("OutOfMemoryError");
    }

    /** The audit projection has handled every stored event (no entry of the tenant is still to come). */
    private static void awaitAuditCaughtUp() {
        long head = jdbc.queryForObject("SELECT MAX(global_index) FROM domain_event_entry", Long.class);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<Long> positions = jdbc.queryForList("SELECT (convert_from(token, 'UTF8')::jsonb ->> 'index')::bigint "
                    + "FROM token_entry WHERE processor_name = 'audit'", Long.class);
            assertThat(positions).isNotEmpty().allMatch(p -> p != null && p >= head);
        });
    }

    /** Appends {@link #ENTRIES} valid entries to the tenant's chain after (seq, hash), moves its head; the new head. */
    private static String appendEntries(Account owner, long seq, String hash) throws SQLException, IOException {
        Instant start = Instant.parse("2030-01-01T00:00:00Z");
        String padding = "x".repeat(600);
        String prev = hash;
        try (Connection c = db.getConnection()) {
            CopyIn copy = new CopyManager(c.unwrap(BaseConnection.class)).copyIn("COPY audit_logs (id, tenant_id, seq, "
                    + "global_index, actor_type, actor_id, api_key_id, action, target_type, target_id, ip, user_agent, "
                    + "request_id, occurred_at, changes, prev_hash, hash) FROM STDIN WITH (FORMAT csv)");
            StringBuilder rows = new StringBuilder();
            for (int i = 1; i <= ENTRIES; i++) {
                long s = seq + i;
                Entry e = new Entry(s, UUID.randomUUID().toString(), owner.tenantId(), null, "user", owner.userId(),
                        null, "tenant.renamed", "tenant", owner.tenantId(), "127.0.0.1", "bulk/1.0",
                        UUID.randomUUID().toString(), start.plusMillis(i),
                        "{\"name\":\"Renamed " + i + "\",\"note\":\"" + padding + "\"}");
                String next = AuditChain.hash(prev, e);
                rows.append(e.id()).append(',').append(e.tenantId()).append(',').append(s).append(",,")
                        .append(e.actorType()).append(',').append(e.actorId()).append(",,").append(e.action())
                        .append(',').append(e.targetType()).append(',').append(e.targetId()).append(',')
                        .append(e.ip()).append(',').append(e.userAgent()).append(',').append(e.requestId())
                        .append(',').append(e.occurredAt()).append(',')
                        .append('"').append(e.changes().replace("\"", "\"\"")).append('"').append(',')
                        .append(prev).append(',').append(next).append('\n');
                prev = next;
                if (rows.length() > 1 << 20 || i == ENTRIES) {
                    byte[] bytes = rows.toString().getBytes(StandardCharsets.UTF_8);
                    copy.writeToCopy(bytes, 0, bytes.length);
                    rows.setLength(0);
                }
            }
            assertThat(copy.endCopy()).isEqualTo(ENTRIES);
        }
        assertThat(jdbc.update("UPDATE audit_heads SET seq = ?, hash = ? WHERE tenant_id = ?", seq + ENTRIES, prev,
                owner.tenantId())).isEqualTo(1);
        return prev;
    }

    record Download(int status, long lines, String firstLine, String lastLine) {
    }

    /** Reads the answer as a stream of lines, keeping only their count, the first and the last. */
    private static Download download(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.http().base() + path)).GET()
                .timeout(Duration.ofSeconds(180));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        long lines = 0;
        String first = null;
        String last = null;
        try {
            HttpResponse<InputStream> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (first == null) {
                        first = line;
                    }
                    last = line;
                    lines++;
                }
            }
            return new Download(r.statusCode(), lines, first, last);
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " failed after " + lines + " lines (" + e + "); the service "
                    + (app.alive() ? "runs" : "has stopped") + ", its log ends: " + app.logTail(), e);
        }
    }

    record CliRun(int code, String out) {
    }

    private static CliRun cli(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), CatalyticMain.class.getName()));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("cli-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the command did not finish in time: " + Files.readString(out));
        }
        return new CliRun(p.exitValue(), Files.readString(out));
    }
}
