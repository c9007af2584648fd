package com.catalytic.deploy.webhook;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.command.webhook.DeliverySchedule;
import com.catalytic.command.webhook.delivery.WebhookDeliveries;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Outbox;
import com.catalytic.deploy.support.Projections;
import com.catalytic.deploy.support.Receiver.Received;
import com.catalytic.deploy.support.Receiver.Reply;
import com.catalytic.deploy.support.Receiver;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.webhook.WebhookSecrets;
import com.catalytic.infrastructure.webhook.WebhookSender;
import com.catalytic.infrastructure.webhook.WebhookTargets;
import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.queryhandling.QueryGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Deliveries to a real receiver on 127.0.0.1: planned from domain events before any attempt, signed so that the
 * Standard Webhooks reference implementation verifies them, retried on the schedule (a clock the test moves), and
 * refused at delivery when the address is no longer allowed; redirects are failures, never followed. The
 * application's own dispatcher is off (interval 0); each test drives a dispatcher of its own.
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

    static Path outbox;

    @BeforeAll
    static void start() throws Exception {
        outbox = Files.createTempDirectory("catalytic-outbox-");
        app = TestApp.start(TestApp.newSchema(), Map.of("catalytic.webhooks.allow-private-targets", "true",
                "catalytic.webhooks.dispatch-interval", "0s", "catalytic.mail.outbox-dir", outbox.toString()));
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
        return new WebhookDeliveries(app.jdbc(), app.bean(PlatformTransactionManager.class),
                app.bean(QueryGateway.class), app.bean(WebhookSecrets.class), targets, app.bean(WebhookSender.class),
                new DeliverySchedule(() -> 0.5), clock, app.bean(MeterRegistry.class), app.bean(CommandGateway.class),
                new WebhookDeliveries.Settings(Duration.ofDays(5), Duration.ZERO, 1, Duration.ofDays(30)));
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

        String metrics = app.management().get("/actuator/prometheus").raw();
        assertThat(metrics).contains("catalytic_webhooks_queue_depth")
                .containsPattern("catalytic_webhooks_deliveries_total\\{[^}]*outcome=\"succeeded\"[^}]*\\} [1-9]")
                .containsPattern("catalytic_webhooks_delivery_latency_seconds_count\\{?[^ ]*\\}? [1-9]")
                .contains("catalytic_mail_queue_depth");
    }

    @Test
    void finishedDeliveriesAndTheirAttemptsAreDeletedAfterTheRetentionAndPendingOnesKept() {
        Hook done = hook("/kept-then-pruned", List.of("api_key.issued"));
        Hook failing = hook("/still-failing", List.of("api_key.issued"));
        receiver.then("/still-failing", Reply.of(500));
        String doneId = (String) issueKeyAndAwaitDelivery(done).get("id");
        String pendingId = (String) issueKeyAndAwaitDelivery(failing).get("id");
        TestClock clock = new TestClock();
        clock.now = Instant.now().plusSeconds(1).truncatedTo(ChronoUnit.MILLIS);
        Instant attempted = clock.now;
        deliveries(clock, allowingPrivate()).dispatch();
        assertThat(rows(done.id())).singleElement().satisfies(r -> assertThat(r).containsEntry("status", "succeeded"));
        assertThat(rows(failing.id())).singleElement().satisfies(r -> assertThat(r).containsEntry("status", "pending"));
        assertThat(attempts(doneId)).hasSize(1);
        assertThat(attempts(pendingId)).hasSize(1);

        // within the 30 days: kept
        clock.now = attempted.plus(Duration.ofDays(29));
        deliveries(clock, allowingPrivate()).prune();
        assertThat(rows(done.id())).hasSize(1);
        assertThat(attempts(doneId)).hasSize(1);

        // after them: the finished delivery and its attempts are gone, the pending one (failing since) stays
        clock.now = attempted.plus(Duration.ofDays(31));
        assertThat(deliveries(clock, allowingPrivate()).prune()).isPositive();
        assertThat(rows(done.id())).isEmpty();
        assertThat(attempts(doneId)).isEmpty();
        assertThat(rows(failing.id())).hasSize(1);
        assertThat(attempts(pendingId)).hasSize(1);
    }

    @Test
    void aReceiverFailingThreeTimesGetsThreeRecordedFailuresThenOneSuccessAtTheSchedulesSpacing() {
        Hook h = hook("/flaky", List.of("api_key.issued"));
        receiver.then("/flaky", Reply.of(500), new Reply(503, Map.of("Retry-After", "1"), "busy"), Reply.of(404));
        String id = (String) issueKeyAndAwaitDelivery(h).get("id");
        TestClock clock = new TestClock();
        clock.now = Instant.now().plusSeconds(1).truncatedTo(ChronoUnit.MILLIS);
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
        clock.now = Instant.now().plusSeconds(1).truncatedTo(ChronoUnit.MILLIS);
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

    static Instant nextAttempt(String deliveryId) {
        return app.jdbc().queryForObject("SELECT next_attempt_at FROM webhook_deliveries WHERE id = ?",
                Timestamp.class, deliveryId).toInstant();
    }

    /**
     * The application made the delivery due by the wall clock; the test's clock stands still a little after the
     * test began (so the other deliveries' retries stay ahead of it): make it due by that clock too, however long
     * the machine took to get here.
     */
    static void dueByTheTestClock(String deliveryId, TestClock clock) {
        assertThat(app.jdbc().update("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?",
                Timestamp.from(clock.now), deliveryId)).isOne();
    }

    static Response expect(int status, Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        return r;
    }

    @Test
    void deliveriesAreListedPagedAndFilteredAndCanBeRetriedTestedAndRecovered() throws Exception {
        Account owner = Accounts.registerAndLogin(http, "endpoints");
        String[] o = bearer(owner.accessToken());
        Instant before = Instant.now().minusSeconds(1);
        // an event from before the webhook existed: only a recovery delivers it
        String earlyKey = expect(201, http.post("/api/api-keys", Map.of("name", "early", "scopes",
                List.of("users:read")), o)).text("id");
        String hookId = expect(201, http.post("/api/webhooks", Map.of("url", receiver.url("/api"), "event_types",
                List.of("api_key.issued")), o)).text("id");
        receiver.then("/api", Reply.of(500), Reply.of(500), Reply.of(500));
        for (int i = 0; i < 3; i++) {
            expect(201, http.post("/api/api-keys", Map.of("name", "k" + i, "scopes", List.of("users:read")), o));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(hookId).size() == 3);
        TestClock clock = new TestClock();
        clock.now = Instant.now().plusSeconds(1).truncatedTo(ChronoUnit.MILLIS);
        deliveries(clock, allowingPrivate()).dispatch();
        assertThat(receiver.received("/api")).hasSize(3);

        Response page1 = expect(200, http.get("/api/webhooks/" + hookId + "/deliveries?limit=2", o));
        assertThat(page1.json().path("deliveries")).hasSize(2);
        JsonNode first = page1.json().path("deliveries").get(0);
        assertThat(first.path("status").asText()).isEqualTo("pending");
        assertThat(first.path("attempts").asInt()).isEqualTo(1);
        assertThat(first.path("attempt_log").get(0).path("status").asInt()).isEqualTo(500);
        assertThat(first.path("attempt_log").get(0).path("next_attempt_at").asText()).isNotEmpty();
        String cursor = page1.json().path("next_cursor").asText();
        assertThat(cursor).isNotEmpty();
        Response page2 = expect(200, http.get("/api/webhooks/" + hookId + "/deliveries?limit=2&cursor=" + cursor, o));
        assertThat(page2.json().path("deliveries")).hasSize(1);
        assertThat(page2.json().path("next_cursor").isNull()).isTrue();
        assertThat(page2.json().path("deliveries").get(0).path("id").asText())
                .isNotIn(first.path("id").asText(), page1.json().path("deliveries").get(1).path("id").asText());
        assertThat(expect(200, http.get("/api/webhooks/" + hookId + "/deliveries?status=pending", o)).json()
                .path("deliveries")).hasSize(3);
        assertThat(expect(200, http.get("/api/webhooks/" + hookId + "/deliveries?status=succeeded", o)).json()
                .path("deliveries")).isEmpty();
        assertThat(expect(422, http.get("/api/webhooks/" + hookId + "/deliveries?status=bogus", o)).text("code"))
                .isEqualTo("invalid_status");
        expect(404, http.post("/api/webhooks/" + hookId + "/deliveries/whd_nope/retry", Map.of(), o));

        // a retry makes one delivery due now: only it is attempted (the others wait for their 5 s)
        String retried = first.path("id").asText();
        Instant scheduled = nextAttempt(retried);
        expect(202, http.post("/api/webhooks/" + hookId + "/deliveries/" + retried + "/retry", Map.of(), o));
        await().atMost(Duration.ofSeconds(30)).until(() -> !nextAttempt(retried).equals(scheduled));
        assertThat(nextAttempt(retried)).as("due at once").isBefore(Instant.now());
        dueByTheTestClock(retried, clock);
        deliveries(clock, allowingPrivate()).dispatch();
        assertThat(receiver.received("/api")).hasSize(4);
        assertThat(app.jdbc().queryForObject("SELECT status FROM webhook_deliveries WHERE id = ?", String.class,
                retried)).isEqualTo("succeeded");

        // a test delivery
        Response test = expect(202, http.post("/api/webhooks/" + hookId + "/test", Map.of(), o));
        String testDelivery = test.text("delivery_id");
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(hookId).size() == 4);
        assertThat(nextAttempt(testDelivery)).as("due at once").isBefore(Instant.now());
        dueByTheTestClock(testDelivery, clock);
        deliveries(clock, allowingPrivate()).dispatch();
        Received tested = receiver.received("/api").get(4);
        assertThat(Http.JSON.readTree(tested.body()).path("type").asText()).isEqualTo("webhook.test");
        assertThat(tested.headers()).containsEntry("webhook-id", test.text("event_id"));
        assertThat(app.jdbc().queryForObject("SELECT status FROM webhook_deliveries WHERE id = ?", String.class,
                testDelivery)).isEqualTo("succeeded");

        // recovery: the early event is planned; the deliveries that exist are left as they are
        expect(422, http.post("/api/webhooks/" + hookId + "/recover", Map.of("since", "yesterday"), o));
        expect(422, http.post("/api/webhooks/" + hookId + "/recover", Map.of("since",
                Instant.now().minus(Duration.ofDays(31)).toString()), o));
        expect(202, http.post("/api/webhooks/" + hookId + "/recover", Map.of("since", before.toString()), o));
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(hookId).size() == 5);
        assertThat(app.jdbc().queryForObject("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ? "
                + "AND payload LIKE ?", Integer.class, hookId, "%" + earlyKey + "%")).isEqualTo(1);

        Projections.awaitCaughtUp(app);
        assertThat(app.jdbc().queryForList("SELECT action FROM audit_logs WHERE tenant_id = ? AND target_id = ? "
                + "ORDER BY seq", String.class, owner.tenantId(), hookId)).containsExactly("webhook.created",
                "webhook.delivery_retried", "webhook.test_requested", "webhook.recovery_requested");
        JsonNode hook = expect(200, http.get("/api/webhooks/" + hookId, o)).json();
        assertThat(hook.path("delivery_health").path("last_success_at").asText()).isNotEmpty();
    }

    @Test
    void anEndpointFailingForFiveDaysIsDisabledAndItsOwnersAndAdminsAreEmailed() {
        Hook h = hook("/down", List.of("api_key.issued"));
        String[] o = bearer(h.owner().accessToken());
        Reply[] failures = new Reply[40];
        Arrays.fill(failures, Reply.of(500));
        receiver.then("/down", failures);
        issueKeyAndAwaitDelivery(h);
        TestClock clock = new TestClock();
        Instant start = Instant.now().plusSeconds(1).truncatedTo(ChronoUnit.MILLIS);
        clock.now = start;
        WebhookDeliveries d = deliveries(clock, allowingPrivate());
        d.dispatch();
        assertThat(receiver.received("/down")).hasSize(1);
        JsonNode failing = expect(200, http.get("/api/webhooks/" + h.id(), o)).json();
        assertThat(failing.path("enabled").asBoolean()).isTrue();
        assertThat(Instant.parse(failing.path("delivery_health").path("failing_since").asText())).isEqualTo(start);

        // a new event just inside the window: still failing, still enabled
        expect(201, http.post("/api/api-keys", Map.of("name", "k2", "scopes", List.of("users:read")), o));
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(h.id()).size() == 2);
        clock.now = start.plus(Duration.ofDays(5)).minusSeconds(1);
        d.dispatch();
        int sent = receiver.received("/down").size();
        assertThat(sent).isGreaterThan(2);
        Projections.awaitCaughtUp(app);
        assertThat(expect(200, http.get("/api/webhooks/" + h.id(), o)).json().path("enabled").asBoolean()).isTrue();

        // the next failure is five days after the first: the webhook is disabled and the owner told
        expect(201, http.post("/api/api-keys", Map.of("name", "k3", "scopes", List.of("users:read")), o));
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(h.id()).size() == 3);
        clock.now = start.plus(Duration.ofDays(5));
        d.dispatch();
        assertThat(receiver.received("/down")).hasSize(sent + 1);
        Projections.awaitCaughtUp(app);
        JsonNode disabled = expect(200, http.get("/api/webhooks/" + h.id(), o)).json();
        assertThat(disabled.path("enabled").asBoolean()).isFalse();
        Outbox.awaitQuiet(app);
        assertThat(Outbox.messagesTo(outbox, h.owner().email())).anySatisfy(m -> assertThat(m)
                .contains("was disabled after failing for 5 days").contains(h.id()));
        assertThat(app.jdbc().queryForList("SELECT action FROM audit_logs WHERE target_id = ?", String.class,
                h.id())).contains("webhook.disabled_for_failures");

        // once disabled nothing more is sent: the pending deliveries are cancelled at their next turn
        clock.now = clock.now.plus(Duration.ofDays(1));
        d.dispatch();
        assertThat(receiver.received("/down")).hasSize(sent + 1);
        assertThat(app.jdbc().queryForList("SELECT DISTINCT status FROM webhook_deliveries WHERE webhook_id = ?",
                String.class, h.id())).containsOnly("cancelled");
    }
}
