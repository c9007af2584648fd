package com.catalytic.deploy.billing;

import static com.catalytic.deploy.billing.BillingTest.id;
import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.FakeStripe;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.StripePayloads;
import com.catalytic.deploy.support.TestApp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stripe delivers an event again when an answer is late, and nginx may hand the copies to different nodes: the same
 * signed event arriving many times at once, on two nodes, is answered 200 every time and applied once.
 */
class StripeConcurrentDeliveryTest {

    static final int COPIES = 16;
    static String schema = TestApp.newSchema();
    static FakeStripe stripe;
    static TestApp nodeA;
    static TestApp nodeB;

    @BeforeAll
    static void start() throws Exception {
        stripe = new FakeStripe();
        Map<String, String> settings = stripe.appSettings();
        nodeA = TestApp.start(schema, settings);
        nodeB = TestApp.start(schema, settings);
    }

    @AfterAll
    static void stop() {
        nodeB.close();
        nodeA.close();
        stripe.close();
    }

    /** Posts {@code copies} copies of the signed payload at once (released by one latch), alternating the nodes. */
    private static List<Response> deliverConcurrently(String payload, int copies) throws Exception {
        return deliverConcurrently(List.of(payload), copies);
    }

    /** Posts {@code copies} deliveries at once, taking the payloads and the nodes in turn. */
    private static List<Response> deliverConcurrently(List<String> payloads, int copies) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(copies);
        try {
            CountDownLatch ready = new CountDownLatch(copies);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < copies; i++) {
                TestApp node = i % 2 == 0 ? nodeA : nodeB;
                String payload = payloads.get(i / 2 % payloads.size());
                String signature = StripePayloads.sign(payload);
                answers.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return node.http().postRaw("/webhooks/stripe", payload, "application/json", "Stripe-Signature",
                            signature);
                }));
            }
            assertThat(ready.await(30, TimeUnit.SECONDS)).as("all senders ready").isTrue();
            go.countDown();
            List<Response> out = new ArrayList<>();
            for (Future<Response> f : answers) {
                out.add(f.get(120, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long storedEvents(String tenantId, String type) {
        return nodeA.jdbc().queryForObject("SELECT COUNT(*) FROM domain_event_entry WHERE aggregate_identifier = ? "
                + "AND payload_type LIKE ?", Long.class, "sub-" + tenantId, "%" + type);
    }

    /** The subscription's events of this type made from this Stripe event. */
    private static long storedEvents(String tenantId, String type, String stripeEventId) {
        return nodeA.jdbc().queryForObject("SELECT COUNT(*) FROM domain_event_entry WHERE aggregate_identifier = ? "
                + "AND payload_type LIKE ? AND convert_from(payload, 'UTF8') LIKE ?", Long.class, "sub-" + tenantId,
                "%" + type, "%\"" + stripeEventId + "\"%");
    }

    private static Map<String, Object> inboxRow(String eventId) {
        return nodeA.jdbc().queryForMap("SELECT tenant_id, outcome, processed_at, last_error FROM stripe_events "
                + "WHERE id = ?", eventId);
    }

    private static void assertAllAccepted(List<Response> answers) {
        assertThat(answers).hasSize(COPIES).allSatisfy(r -> {
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(r.text("received")).isEqualTo("true");
        });
    }

    @Test
    void theSameEventDeliveredConcurrentlyToTwoNodesIsAppliedOnce() throws Exception {
        Account owner = Accounts.registerAndLogin(nodeA.http(), "concurrent");
        String tenant = owner.tenantId();
        String customer = id("cus");
        String subscription = id("sub");
        long t = BillingTest.now() - 120;

        // first contact: the completed checkout creates the subscription and links the customer
        String checkoutId = id("evt");
        assertAllAccepted(deliverConcurrently(StripePayloads.event(checkoutId, "checkout.session.completed", t,
                StripePayloads.checkoutCompleted(id("cs"), tenant, customer, subscription)), COPIES));
        assertThat(storedEvents(tenant, "StripeCustomerLinkedEvent")).isEqualTo(1);
        assertThat(nodeA.jdbc().queryForList("SELECT owner_id FROM unique_claims WHERE scope = 'STRIPE_CUSTOMER' "
                + "AND claim_value = ?", String.class, customer)).containsExactly(tenant);
        Map<String, Object> checkoutRow = inboxRow(checkoutId);
        assertThat(checkoutRow.get("processed_at")).isNotNull();
        assertThat((String) checkoutRow.get("outcome")).startsWith("applied");
        assertThat(checkoutRow.get("tenant_id")).isEqualTo(tenant);

        // the subscription starts: the plan changes once
        String createdId = id("evt");
        assertAllAccepted(deliverConcurrently(StripePayloads.event(createdId, "customer.subscription.created", t,
                StripePayloads.subscription(subscription, tenant, customer, "active", "professional_month", t, null)),
                COPIES));
        assertThat(storedEvents(tenant, "SubscriptionUpdatedEvent")).isEqualTo(1);
        assertThat(nodeA.jdbc().queryForObject("SELECT COUNT(*) FROM domain_event_entry WHERE aggregate_identifier = ? "
                + "AND payload_type LIKE '%TenantPlanChangedEvent'", Long.class, tenant)).isEqualTo(1);
        assertThat(nodeA.jdbc().queryForObject("SELECT plan FROM tenants WHERE id = ?", String.class, tenant))
                .isEqualTo("professional");

        // a failed payment is counted once
        String invoice = id("in");
        String failureId = id("evt");
        assertAllAccepted(deliverConcurrently(StripePayloads.event(failureId, "invoice.payment_failed", t + 10,
                StripePayloads.invoice(invoice, customer, subscription, 9900, 1, "open")), COPIES));
        assertThat(storedEvents(tenant, "PaymentFailedEvent")).isEqualTo(1);
        assertThat((String) inboxRow(failureId).get("outcome")).startsWith("applied");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(nodeA.jdbc().queryForObject(
                "SELECT COUNT(*) FROM audit_logs WHERE tenant_id = ? AND action = 'subscription.payment_failed'",
                Long.class, tenant)).isEqualTo(1));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(nodeB.http().get("/api/subscription",
                bearer(owner.accessToken())).json().path("failed_payments").asInt()).isEqualTo(1));

        // positive control: the next attempt, another event, is counted
        String retryId = id("evt");
        assertAllAccepted(deliverConcurrently(StripePayloads.event(retryId, "invoice.payment_failed", t + 20,
                StripePayloads.invoice(invoice, customer, subscription, 9900, 2, "open")), COPIES));
        assertThat(storedEvents(tenant, "PaymentFailedEvent")).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(nodeB.http().get("/api/subscription",
                bearer(owner.accessToken())).json().path("failed_payments").asInt()).isEqualTo(2));
        assertThat(nodeA.jdbc().queryForList("SELECT id FROM stripe_events WHERE tenant_id = ? AND processed_at IS "
                + "NOT NULL ORDER BY id", String.class, tenant)).containsExactlyInAnyOrder(checkoutId, createdId,
                failureId, retryId);
        assertThat(nodeA.jdbc().queryForList("SELECT id FROM stripe_events WHERE last_error IS NOT NULL",
                String.class)).isEmpty();
    }

    @Test
    void checkoutAndSubscriptionReportedAtOnceOnTwoNodesAreEachAppliedOnce() throws Exception {
        Account owner = Accounts.registerAndLogin(nodeB.http(), "together");
        String tenant = owner.tenantId();
        String customer = id("cus");
        String subscription = id("sub");
        long t = BillingTest.now() - 120;
        // Stripe sends both within milliseconds of each other, and both create the subscription on first contact
        String checkoutId = id("evt");
        String createdId = id("evt");
        assertAllAccepted(deliverConcurrently(List.of(
                StripePayloads.event(checkoutId, "checkout.session.completed", t,
                        StripePayloads.checkoutCompleted(id("cs"), tenant, customer, subscription)),
                StripePayloads.event(createdId, "customer.subscription.created", t,
                        StripePayloads.subscription(subscription, tenant, customer, "trialing", "starter_month", t,
                                t + 14 * 86400))), COPIES));

        assertThat(storedEvents(tenant, "StripeCustomerLinkedEvent", checkoutId)).isEqualTo(1);
        assertThat(storedEvents(tenant, "SubscriptionUpdatedEvent", createdId)).isEqualTo(1);
        assertThat(storedEvents(tenant, "SubscriptionUpdatedEvent")).isEqualTo(1);
        assertThat(storedEvents(tenant, "StripeEventRejectedEvent")).isZero();
        assertThat(nodeA.jdbc().queryForList("SELECT owner_id FROM unique_claims WHERE scope = 'STRIPE_CUSTOMER' "
                + "AND claim_value = ?", String.class, customer)).containsExactly(tenant);
        for (String eventId : List.of(checkoutId, createdId)) {
            Map<String, Object> row = inboxRow(eventId);
            assertThat(row.get("processed_at")).as(eventId).isNotNull();
            assertThat((String) row.get("outcome")).as(eventId).startsWith("applied");
            assertThat(row.get("last_error")).as(eventId).isNull();
        }
        assertThat(nodeA.jdbc().queryForObject("SELECT plan FROM tenants WHERE id = ?", String.class, tenant))
                .isEqualTo("starter");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Response s = nodeA.http().get("/api/subscription", bearer(owner.accessToken()));
            assertThat(s.text("status")).isEqualTo("trialing");
            assertThat(s.text("stripe_customer_id")).isEqualTo(customer);
        });
    }
}
