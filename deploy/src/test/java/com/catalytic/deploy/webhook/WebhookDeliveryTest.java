package com.catalytic.deploy.webhook;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.command.webhook.DeliverySchedule;
import com.catalytic.command.webhook.WebhookSecrets;
import com.catalytic.command.webhook.WebhookTargets;
import com.catalytic.command.webhook.delivery.WebhookDeliveries;
import com.catalytic.command.webhook.delivery.WebhookSender;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Receiver;
import com.catalytic.deploy.support.Receiver.Received;
import com.catalytic.deploy.support.Receiver.Reply;
import com.catalytic.deploy.support.TestApp;
import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.axonframework.queryhandling.QueryGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Deliveries to a real receiver on 127.0.0.1: planned from domain events before any attempt, signed so that the
 * Standard Webhooks reference implementation verifies them, retried on the schedule (a clock the test moves), and
 * refused at delivery when the address is no longer allowed; redirects are failures, never followed. The
 * application's own dispatcher is set out of the way (hourly); each test drives a dispatcher of its own.
 */
class WebhookDeliveryTest {

    static TestApp app;
    static Http http;
    static Receiver receiver;

    static final class TestClock extends Clock {
        volatile Instant now = Instant.now();

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of("catalytic.webhooks.allow-private-targets", "true",
                "catalytic.webhooks.dispatch-interval", "1h"));
        http = app.http();
        receiver = new Receiver();
    }

    @AfterAll
    static void stop() {
        receiver.close();
        app.close();
    }

    /** A dispatcher on the application's beans with the test's clock, address rule and resolver. */
    static WebhookDeliveries deliveries(Clock clock, WebhookTargets targets) {
        return new WebhookDeliveries(app.jdbc(), app.bean(QueryGateway.class), app.bean(WebhookSecrets.class),
                targets, app.bean(WebhookSender.class), new DeliverySchedule(() -> 0.5), clock,
                new SimpleMeterRegistry(), Duration.ZERO);
    }

    static WebhookTargets allowingPrivate() {
        return new WebhookTargets(true, false, InetAddress::getAllByName);
    }

    record Hook(Account owner, String id, String secret) {
    }

    static Hook hook(String path, List<String> types) {
        Account owner = Accounts.registerAndLogin(http, "deliver");
        Response created = http.post("/api/webhooks", Map.of("url", receiver.url(path), "event_types", types),
                bearer(owner.accessToken()));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return new Hook(owner, created.text("id"), created.text("secret"));
    }

    /** An API key issued by the hook's owner: one {@code api_key.issued} event; waits for its delivery row. */
    static Map<String, Object> issueKeyAndAwaitDelivery(Hook h) {
        Response key = http.post("/api/api-keys", Map.of("name", "k", "scopes", List.of("users:read")),
                bearer(h.owner().accessToken()));
        assertThat(key.status()).as(key.toString()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).until(() -> !rows(h.id()).isEmpty());
        return rows(h.id()).get(0);
    }

    static List<Map<String, Object>> rows(String webhookId) {
        return app.jdbc().queryForList("SELECT * FROM webhook_deliveries WHERE webhook_id = ?", webhookId);
    }

    static List<Map<String, Object>> attempts(String deliveryId) {
        return app.jdbc().queryForList("SELECT * FROM webhook_delivery_attempts WHERE delivery_id = ? ORDER BY attempt",
                deliveryId);
    }

    @Test
    void aRealDeliveryIsStoredFirstAndVerifiesWithTheReferenceImplementation() throws Exception {
        Hook h = hook("/signed", List.of("api_key.issued"));
        receiver.then("/signed", new Reply(200, Map.of(), "x".repeat(5000)));
        Map<String, Object> row = issueKeyAndAwaitDelivery(h);
        assertThat(row).containsEntry("status", "pending").containsEntry("attempts", 0)
                .containsEntry("event_type", "api_key.issued");
        assertThat(receiver.received("/signed")).as("stored before the first attempt").isEmpty();
        String eventId = (String) row.get("event_id");
        assertThat(app.jdbc().queryForObject("SELECT COUNT(*) FROM domain_event_entry WHERE event_identifier = ? "
                + "AND payload_type LIKE '%ApiKeyIssuedEvent'", Integer.class, eventId)).isEqualTo(1);

        assertThat(deliveries(Clock.systemUTC(), allowingPrivate()).dispatch()).isEqualTo(1);

        List<Received> got = receiver.received("/signed");
        assertThat(got).hasSize(1);
        Received r = got.get(0);
        assertThat(r.headers()).containsEntry("webhook-id", eventId).containsKey("webhook-timestamp");
        new Webhook(h.secret()).verify(r.body(), r.headers().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue()))));
        JsonNode body = Http.JSON.readTree(r.body());
        assertThat(body.path("id").asText()).isEqualTo(eventId);
        assertThat(body.path("type").asText()).isEqualTo("api_key.issued");
        assertThat(body.path("tenant_id").asText()).isEqualTo(h.owner().tenantId());
        assertThat(body.path("data").path("name").asText()).isEqualTo("k");
        assertThat(body.path("data").has("key_hash")).as("no secret material").isFalse();

        Map<String, Object> done = rows(h.id()).get(0);
        assertThat(done).containsEntry("status", "succeeded").containsEntry("attempts", 1)
                .containsEntry("last_status", 200);
        List<Map<String, Object>> tried = attempts((String) done.get("id"));
        assertThat(tried).hasSize(1);
        assertThat(tried.get(0)).containsEntry("status", 200).containsEntry("next_attempt_at", null);
        assertThat((String) tried.get(0).get("response_body")).hasSize(4096);

        // the same event planned again (a restart handling it twice) is the same one delivery, not sent again
        app.jdbc().update("INSERT INTO webhook_deliveries (id, webhook_id, tenant_id, event_id, event_type, payload, "
                + "status, attempts, created_at, next_attempt_at) VALUES (?, ?, ?, ?, 'api_key.issued', '{}', "
                + "'pending', 0, now(), now()) ON CONFLICT DO NOTHING", WebhookDeliveries.deliveryId(h.id(), eventId),
                h.id(), h.owner().tenantId(), eventId);
        assertThat(rows(h.id())).hasSize(1).first().satisfies(x -> assertThat(x).containsEntry("status", "succeeded"));
        assertThat(deliveries(Clock.systemUTC(), allowingPrivate()).dispatch()).isZero();
        assertThat(receiver.received("/signed")).hasSize(1);
    }

    @Test
    void aReceiverFailingThreeTimesGetsThreeRecordedFailuresThenOneSuccessAtTheSchedulesSpacing() {
        Hook h = hook("/flaky", List.of("api_key.issued"));
        receiver.then("/flaky", Reply.of(500), new Reply(503, Map.of("Retry-After", "1"), "busy"), Reply.of(404));
        String id = (String) issueKeyAndAwaitDelivery(h).get("id");
        TestClock clock = new TestClock();
        clock.now = Instant.now().plusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        WebhookDeliveries d = deliveries(clock, allowingPrivate());

        // (other tests' leftover deliveries may be due too: what counts is what reached /flaky)
        d.dispatch();
        assertThat(receiver.received("/flaky")).hasSize(1);
        Instant first = clock.now;
        // jitter fixed at the middle: exactly 5 s, 5 min, 30 min after each failure
        Duration[] gaps = {Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30)};
        Instant failedAt = first;
        for (int i = 0; i < gaps.length; i++) {
            clock.now = failedAt.plus(gaps[i]).minusMillis(1);
            d.dispatch();
            assertThat(receiver.received("/flaky")).as("not before its time").hasSize(i + 1);
            clock.now = failedAt.plus(gaps[i]);
            d.dispatch();
            assertThat(receiver.received("/flaky")).hasSize(i + 2);
            failedAt = clock.now;
        }
        clock.now = clock.now.plus(Duration.ofDays(2));
        d.dispatch();
        assertThat(receiver.received("/flaky")).as("never again after the success").hasSize(4);

        List<Map<String, Object>> tried = attempts(id);
        assertThat(tried).extracting(a -> a.get("status")).containsExactly(500, 503, 404, 200);
        Instant t = first;
        for (int i = 0; i < 3; i++) {
            assertThat(((Timestamp) tried.get(i).get("next_attempt_at")).toInstant()).isEqualTo(t.plus(gaps[i]));
            assertThat(((Timestamp) tried.get(i + 1).get("attempted_at")).toInstant()).isEqualTo(t.plus(gaps[i]));
            t = t.plus(gaps[i]);
        }
        assertThat(tried.get(1).get("response_body")).isEqualTo("busy");
        assertThat(rows(h.id()).get(0)).containsEntry("status", "succeeded").containsEntry("attempts", 4);
    }

    @Test
    void aNameThatNowResolvesToLoopbackIsRefusedAtDeliveryAndARedirectIsNotFollowed() throws Exception {
        Hook h = hook("/rebind", List.of("api_key.issued"));
        // as if the name had resolved to a public address when the webhook was saved
        app.jdbc().update("UPDATE webhooks SET url = ? WHERE id = ?", "http://rebind.example:" + receiver.port()
                + "/rebind", h.id());
        String id = (String) issueKeyAndAwaitDelivery(h).get("id");
        WebhookTargets.Resolver toLoopback = host -> {
            if (host.equals("rebind.example")) {
                return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
            }
            throw new UnknownHostException(host);
        };
        TestClock clock = new TestClock();
        clock.now = Instant.now().plusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        assertThat(deliveries(clock, new WebhookTargets(false, false, toLoopback)).dispatch()).isZero();
        assertThat(receiver.received("/rebind")).as("nothing sent to loopback").isEmpty();
        Map<String, Object> refused = attempts(id).get(0);
        assertThat(refused).containsEntry("status", 0);
        assertThat((String) refused.get("error")).contains("refused").contains("url resolves to a private");

        // positive control: where private targets are allowed, the same name reaches the receiver through the
        // address checked (the system resolver does not know rebind.example)
        clock.now = clock.now.plus(Duration.ofSeconds(5));
        assertThat(deliveries(clock, new WebhookTargets(true, false, toLoopback)).dispatch()).isEqualTo(1);
        assertThat(receiver.received("/rebind")).hasSize(1);
        assertThat(receiver.received("/rebind").get(0).headers()).containsEntry("host",
                "rebind.example:" + receiver.port());

        // a redirect to loopback: a failure, the location never asked
        Hook r = hook("/redirect", List.of("api_key.issued"));
        receiver.then("/redirect", new Reply(302, Map.of("Location", receiver.url("/internal")), ""));
        String rid = (String) issueKeyAndAwaitDelivery(r).get("id");
        assertThat(deliveries(clock, allowingPrivate()).dispatch()).isZero();
        assertThat(receiver.received("/redirect")).hasSize(1);
        assertThat(receiver.received("/internal")).isEmpty();
        assertThat(attempts(rid)).singleElement().satisfies(a -> assertThat(a).containsEntry("status", 302));
        assertThat(rows(r.id()).get(0)).containsEntry("status", "pending");
    }
}
