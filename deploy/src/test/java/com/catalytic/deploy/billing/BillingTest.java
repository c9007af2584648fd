package com.catalytic.deploy.billing;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.FakeStripe;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.StripePayloads;
import com.catalytic.deploy.support.TestApp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checkout and portal through stripe-java against a local fake of Stripe's API, and the webhook endpoint with
 * payloads signed as Stripe signs them: bad and stale signatures, redeliveries, events out of order.
 */
class BillingTest {

    static FakeStripe stripe;
    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        stripe = new FakeStripe();
        Map<String, String> settings = stripe.appSettings();
        settings.put("FRONTEND_URL", "https://app.catalytic.test");
        app = TestApp.start(TestApp.newSchema(), settings);
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
        stripe.close();
    }

    static Response deliver(String payload) {
        return deliver(payload, StripePayloads.sign(payload));
    }

    static Response deliver(String payload, String signature) {
        return http.postRaw("/webhooks/stripe", payload, "application/json", "Stripe-Signature", signature);
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    static String id(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 14);
    }

    private static String tenantPlan(String tenantId) {
        return app.jdbc().queryForObject("SELECT plan FROM tenants WHERE id = ?", String.class, tenantId);
    }

    private static long storedEvents(String tenantId, String type) {
        return app.jdbc().queryForObject("SELECT COUNT(*) FROM domain_event_entry WHERE aggregate_identifier = ? "
                + "AND payload_type LIKE ?", Long.class, "sub-" + tenantId, "%" + type);
    }

    @Test
    void checkoutCreatesAStripeSessionWhoseTenantTheServerSets() {
        Account owner = Accounts.registerAndLogin(http, "checkout");
        Response r = http.post("/api/subscription/checkout", Map.of("plan", "professional", "interval", "month"),
                bearer(owner.accessToken()));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.text("checkout_url")).startsWith("https://checkout.stripe.test/c/pay/cs_test_");

        FakeStripe.Request created = stripe.requests("POST", "/v1/checkout/sessions").stream()
                .filter(q -> owner.tenantId().equals(q.params().get("client_reference_id"))).findFirst().orElseThrow();
        assertThat(created.authorization()).isEqualTo("Bearer " + FakeStripe.SECRET_KEY);
        assertThat(created.params()).containsEntry("mode", "subscription")
                .containsEntry("line_items[0][price]", "price_professional_month")
                .containsEntry("line_items[0][quantity]", "1")
                .containsEntry("metadata[tenant_id]", owner.tenantId())
                .containsEntry("subscription_data[metadata][tenant_id]", owner.tenantId())
                .containsEntry("subscription_data[trial_period_days]", "7")
                .containsEntry("customer_email", owner.email())
                .containsEntry("cancel_url", "https://app.catalytic.test/billing?checkout=canceled");
        // the price was found by its lookup key
        assertThat(stripe.requests("GET", "/v1/prices")).anySatisfy(q ->
                assertThat(q.params()).containsValue("professional_month"));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Response s = http.get("/api/subscription", bearer(owner.accessToken()));
            assertThat(s.text("status")).isEqualTo("checkout_pending");
            assertThat(s.text("plan")).isEqualTo("professional");
            assertThat(s.text("tenant_plan")).isEqualTo("free");
        });
        // a second click gets the same session (Stripe answers by idempotency key), not a second subscription
        Response again = http.post("/api/subscription/checkout", Map.of("plan", "professional", "interval", "month"),
                bearer(owner.accessToken()));
        assertThat(again.text("checkout_url")).isEqualTo(r.text("checkout_url"));
        assertThat(stripe.requests("POST", "/v1/checkout/sessions").stream()
                .filter(q -> owner.tenantId().equals(q.params().get("client_reference_id")))
                .map(FakeStripe.Request::idempotencyKey).distinct()).hasSize(1).allSatisfy(k ->
                assertThat(k).startsWith("checkout-" + owner.tenantId() + "-professional-month-"));
        // the client cannot name the tenant (or anything else the server decides)
        Response smuggled = http.post("/api/subscription/checkout", Map.of("plan", "starter", "interval", "year",
                "tenant_id", "someone-else"), bearer(owner.accessToken()));
        assertThat(smuggled.status()).isEqualTo(400);
    }

    @Test
    void badCheckoutRequestsAreRefusedWithoutCallingStripe() {
        Account owner = Accounts.registerAndLogin(http, "badcheckout");
        int before = stripe.requests().size();
        String[] auth = bearer(owner.accessToken());
        Response free = http.post("/api/subscription/checkout", Map.of("plan", "free", "interval", "month"), auth);
        assertThat(free.status()).isEqualTo(422);
        assertThat(free.text("code")).isEqualTo("invalid_plan");
        Response week = http.post("/api/subscription/checkout", Map.of("plan", "starter", "interval", "week"), auth);
        assertThat(week.status()).isEqualTo(422);
        assertThat(week.text("code")).isEqualTo("invalid_interval");
        assertThat(http.post("/api/subscription/checkout", Map.of("plan", "starter"), auth).status()).isIn(400, 422);
        Response portal = http.post("/api/subscription/portal", Map.of(), auth);
        assertThat(portal.status()).isEqualTo(409);
        assertThat(portal.text("code")).isEqualTo("no_billing_account");

        // members cannot manage billing
        Accounts.changePlan(app, owner.tenantId(), "starter"); // free has one seat
        String memberEmail = Accounts.uniqueEmail("member");
        assertThat(http.post("/api/users", Map.of("email", memberEmail, "role", "member", "password",
                Accounts.PASSWORD), auth).status()).isEqualTo(201);
        Account member = Accounts.login(http, memberEmail, Accounts.PASSWORD);
        assertThat(http.post("/api/subscription/checkout", Map.of("plan", "starter", "interval", "month"),
                bearer(member.accessToken())).status()).isEqualTo(403);
        assertThat(http.get("/api/subscription", bearer(member.accessToken())).text("status")).isEqualTo("none");
        assertThat(stripe.requests()).hasSize(before);
    }

    @Test
    void aStripeOutageIsA503AndRecordsNothing() {
        Account owner = Accounts.registerAndLogin(http, "outage");
        stripe.failWith(500);
        try {
            Response r = http.post("/api/subscription/checkout", Map.of("plan", "starter", "interval", "month"),
                    bearer(owner.accessToken()));
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.text("code")).isEqualTo("billing_provider_error");
        } finally {
            stripe.failWith(0);
        }
        assertThat(storedEvents(owner.tenantId(), "CheckoutStartedEvent")).isZero();
    }

    @Test
    void completedCheckoutLinksTheCustomerAndOpensThePortal() {
        Account owner = Accounts.registerAndLogin(http, "portal");
        String customer = id("cus");
        assertThat(deliver(StripePayloads.event(id("evt"), "checkout.session.completed", now(),
                StripePayloads.checkoutCompleted(id("cs"), owner.tenantId(), customer, id("sub")))).status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Response portal = http.post("/api/subscription/portal", Map.of(), bearer(owner.accessToken()));
            assertThat(portal.status()).as("%s", portal).isEqualTo(200);
            assertThat(portal.text("portal_url")).startsWith("https://billing.stripe.test/p/session/bps_");
        });
        assertThat(stripe.requests("POST", "/v1/billing_portal/sessions")).anySatisfy(q -> assertThat(q.params())
                .containsEntry("customer", customer)
                .containsEntry("return_url", "https://app.catalytic.test/billing"));
    }

    @Test
    void signaturesThatDoNotVerifyAre400AndChangeNothing() {
        Account owner = Accounts.registerAndLogin(http, "signature");
        String eventId = id("evt");
        String payload = StripePayloads.event(eventId, "customer.subscription.created", now(),
                StripePayloads.subscription(id("sub"), owner.tenantId(), id("cus"), "active", "starter_month", now(),
                        null));
        Response wrongSecret = deliver(payload, StripePayloads.sign(payload, "whsec_someone_else", now()));
        assertThat(wrongSecret.status()).isEqualTo(400);
        assertThat(wrongSecret.text("code")).isEqualTo("invalid_signature");
        Response stale = deliver(payload, StripePayloads.sign(payload, StripePayloads.WEBHOOK_SECRET, now() - 301));
        assertThat(stale.status()).isEqualTo(400);
        assertThat(stale.text("code")).isEqualTo("invalid_signature");
        Response tampered = deliver(payload.replace("starter_month", "enterprise_month"), StripePayloads.sign(payload));
        assertThat(tampered.status()).isEqualTo(400);
        assertThat(http.postRaw("/webhooks/stripe", payload, "application/json").status()).isEqualTo(400);
        String notAnEvent = "[1, 2, 3]";
        Response garbage = deliver(notAnEvent);
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.text("code")).isEqualTo("invalid_payload");

        Random random = new Random(20261126L);
        for (int i = 0; i < 30; i++) {
            byte[] bytes = new byte[random.nextInt(400)];
            random.nextBytes(bytes);
            String body = new String(bytes, StandardCharsets.ISO_8859_1);
            Response r = i % 2 == 0 ? deliver(body, "t=" + now() + ",v1=" + "ab".repeat(32))
                    : http.postRaw("/webhooks/stripe", body, "application/octet-stream");
            assertThat(r.status()).as("random body #%d: %s", i, r).isEqualTo(400);
        }
        assertThat(app.jdbc().queryForObject("SELECT COUNT(*) FROM stripe_events WHERE id = ?", Long.class, eventId))
                .isZero();
        assertThat(tenantPlan(owner.tenantId())).isEqualTo("free");
        // a timestamp inside the tolerance is fine
        assertThat(deliver(payload, StripePayloads.sign(payload, StripePayloads.WEBHOOK_SECRET, now() - 200))
                .status()).isEqualTo(200);
        assertThat(tenantPlan(owner.tenantId())).isEqualTo("starter");
    }

    @Test
    void aRedeliveredEventHasNoSecondEffect() {
        Account owner = Accounts.registerAndLogin(http, "duplicate");
        String customer = id("cus");
        String subscription = id("sub");
        String failure = StripePayloads.event(id("evt"), "invoice.payment_failed", now(),
                StripePayloads.invoice(id("in"), customer, subscription, 2900, 1, "open"));
        deliver(StripePayloads.event(id("evt"), "customer.subscription.created", now(),
                StripePayloads.subscription(subscription, owner.tenantId(), customer, "active", "starter_month", now(),
                        null)));
        for (int i = 0; i < 3; i++) {
            Response r = deliver(failure, StripePayloads.sign(failure, StripePayloads.WEBHOOK_SECRET, now()));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text("received")).isEqualTo("true");
        }
        assertThat(storedEvents(owner.tenantId(), "PaymentFailedEvent")).isEqualTo(1);
        assertThat(app.management().get("/actuator/prometheus").raw())
                .contains("catalytic_stripe_webhooks_total{outcome=\"duplicate\"}");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                http.get("/api/subscription", bearer(owner.accessToken())).json().path("failed_payments").asInt())
                .isEqualTo(1));
    }

    @Test
    void eventsOutOfOrderEndInTheLatestState() {
        Account owner = Accounts.registerAndLogin(http, "order");
        String customer = id("cus");
        String subscription = id("sub");
        long t = now() - 60;
        // Stripe sent "created (trialing)" then "updated (active)"; they arrive the other way round
        String updated = StripePayloads.event(id("evt"), "customer.subscription.updated", t + 30,
                StripePayloads.subscription(subscription, owner.tenantId(), customer, "active", "professional_month",
                        t, null));
        String created = StripePayloads.event(id("evt"), "customer.subscription.created", t,
                StripePayloads.subscription(subscription, owner.tenantId(), customer, "trialing", "starter_month", t,
                        t + 7 * 86400));
        assertThat(deliver(updated).status()).isEqualTo(200);
        assertThat(deliver(created).status()).isEqualTo(200);
        assertThat(tenantPlan(owner.tenantId())).isEqualTo("professional");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Response s = http.get("/api/subscription", bearer(owner.accessToken()));
            assertThat(s.text("status")).isEqualTo("active");
            assertThat(s.text("plan")).isEqualTo("professional");
            assertThat(s.text("stripe_customer_id")).isEqualTo(customer);
        });
        // then the subscription ends: the tenant is back on free
        assertThat(deliver(StripePayloads.event(id("evt"), "customer.subscription.deleted", t + 60,
                StripePayloads.subscription(subscription, null, customer, "canceled", "professional_month", t, null)))
                .status()).isEqualTo(200);
        assertThat(tenantPlan(owner.tenantId())).isEqualTo("free");
    }

    @Test
    void unknownTypesAndUnknownTenantsAreAcknowledgedAndIgnored() {
        String unknownType = id("evt");
        assertThat(deliver(StripePayloads.event(unknownType, "charge.refunded", now(), "{\"id\":\"ch_1\"}")).status())
                .isEqualTo(200);
        String unknownTenant = id("evt");
        assertThat(deliver(StripePayloads.event(unknownTenant, "customer.subscription.created", now(),
                StripePayloads.subscription(id("sub"), "no-such-tenant", id("cus"), "active", "starter_month", now(),
                        null))).status()).isEqualTo(200);
        List<String> outcomes = app.jdbc().queryForList("SELECT outcome FROM stripe_events WHERE id IN (?, ?) "
                + "ORDER BY outcome", String.class, unknownType, unknownTenant);
        assertThat(outcomes).hasSize(2).allSatisfy(o -> assertThat(o).startsWith("ignored"));
        assertThat(app.jdbc().queryForObject("SELECT COUNT(*) FROM domain_event_entry WHERE aggregate_identifier = ?",
                Long.class, "sub-no-such-tenant")).isZero();
    }
}
