package com.catalytic.deploy.webhook;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.ChildApp;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Receiver;
import com.catalytic.deploy.support.Receiver.Reply;
import com.catalytic.deploy.support.TestApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The service is killed (SIGKILL) with deliveries waiting for their retry and events not yet planned; after a
 * restart every event is delivered, each exactly once with a 2xx, none lost.
 */
class WebhookRestartTest {

    @TempDir
    Path dir;

    @Test
    void pendingRetriesAndUnplannedEventsSurviveAKillAndAreDeliveredOnceAfterTheRestart() throws Exception {
        String schema = TestApp.newSchema();
        Map<String, String> settings = Map.of("catalytic.webhooks.allow-private-targets", "true",
                "catalytic.webhooks.dispatch-interval", "200ms");
        JdbcTemplate db = new JdbcTemplate(new DriverManagerDataSource(ChildApp.jdbcUrl(schema), TestApp.pgUser(),
                System.getenv().getOrDefault("TEST_DATABASE_PASSWORD", "")));
        try (Receiver receiver = new Receiver()) {
            receiver.otherwise(Reply.of(503)); // down until the restart
            String webhookId;
            ChildApp first = ChildApp.start(schema, dir, List.of(), settings);
            try {
                Http http = first.http();
                Account owner = Accounts.registerAndLogin(http, "restart");
                String[] o = bearer(owner.accessToken());
                Http.Response hook = http.post("/api/webhooks", Map.of("url", receiver.url("/crash"), "event_types",
                        List.of("api_key.issued")), o);
                assertThat(hook.status()).as(hook.toString()).isEqualTo(201);
                webhookId = hook.text("id");
                for (int i = 0; i < 10; i++) {
                    issue(http, o, "a" + i);
                }
                // the first ten have failed once and wait for their retry (5 s later)
                await().atMost(Duration.ofSeconds(60)).until(() -> db.queryForObject("SELECT COUNT(*) FROM "
                        + "webhook_deliveries WHERE webhook_id = ? AND attempts >= 1", Integer.class, webhookId) == 10);
                for (int i = 0; i < 10; i++) {
                    issue(http, o, "b" + i);
                }
            } finally {
                first.kill();
            }
            assertThat(receiver.received("/crash")).as("nothing succeeded before the kill")
                    .allSatisfy(r -> assertThat(r.answered()).isEqualTo(503));
            int events = db.queryForObject("SELECT COUNT(*) FROM domain_event_entry WHERE payload_type LIKE "
                    + "'%ApiKeyIssuedEvent'", Integer.class);
            assertThat(events).isEqualTo(20);

            receiver.otherwise(Reply.of(200));
            ChildApp second = ChildApp.start(schema, dir, List.of(), settings);
            try {
                // rows the killed node held in flight are taken up once their claim expires (90 s)
                await().atMost(Duration.ofSeconds(180)).until(() -> db.queryForObject("SELECT COUNT(*) FROM "
                        + "webhook_deliveries WHERE webhook_id = ? AND status = 'succeeded'", Integer.class,
                        webhookId) == 20);
            } finally {
                second.close();
            }
            // the service is stopped: what the receiver holds now is all it will ever get
            Map<String, Long> successes = receiver.received("/crash").stream().filter(r -> r.answered() == 200)
                    .collect(Collectors.groupingBy(r -> r.headers().get("webhook-id"), Collectors.counting()));
            List<String> eventIds = db.queryForList("SELECT event_identifier FROM domain_event_entry WHERE "
                    + "payload_type LIKE '%ApiKeyIssuedEvent'", String.class);
            assertThat(successes.keySet()).as("every event delivered").containsExactlyInAnyOrderElementsOf(eventIds);
            assertThat(successes.values()).as("each exactly once with a 2xx").containsOnly(1L);
            assertThat(db.queryForObject("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?",
                    Integer.class, webhookId)).isEqualTo(20);
            assertThat(db.queryForObject("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ? AND "
                    + "attempts >= 2", Integer.class, webhookId)).as("retried after the restart")
                    .isGreaterThanOrEqualTo(10);
        }
    }

    private static void issue(Http http, String[] o, String name) {
        Http.Response r = http.post("/api/api-keys", Map.of("name", name, "scopes", List.of("users:read")), o);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }
}
