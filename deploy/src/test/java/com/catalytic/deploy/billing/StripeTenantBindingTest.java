package com.catalytic.deploy.billing;

import static com.catalytic.deploy.billing.BillingTest.id;
import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.FakeStripe;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.StripePayloads;
import com.catalytic.deploy.support.TestApp;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Stripe event reaches a tenant only through the {@code metadata.tenant_id} the service set, or through a customer
 * already linked to that tenant: a checkout naming a tenant in {@code client_reference_id} alone binds nothing, and
 * a subscription or invoice event whose customer is not the tenant's is recorded as rejected and changes nothing.
 */
class StripeTenantBindingTest {

    static FakeStripe stripe;
    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        stripe = new FakeStripe();
        app = TestApp.start(TestApp.newSchema(), stripe.appSettings());
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
        stripe.close();
    }

    /** Delivers a signed event and checks that Stripe is answered 200; returns the event's id. */
    private static String deliver(String type, long created, String object) {
        String eventId = id("evt");
        String payload = StripePayloads.event(eventId, type, created, object);
        Response r = http.postRaw("/webhooks/stripe", payload, "application/json", "Stripe-Signature",
                StripePayloads.sign(payload));
        assertThat(r.status()).as("%s %s", type, r).isEqualTo(200);
        assertThat(r.text("received")).isEqualTo("true");
        return eventId;
    }

    private static String outcome(String eventId) {
        return app.jdbc().queryForObject("SELECT outcome FROM stripe_events WHERE id = ?", String.class, eventId);
    }

    private static String tenantPlan(String tenantId) {
        return app.jdbc().queryForObject("SELECT plan FROM tenants WHERE id = ?", String.class, tenantId);
    }

    private static long storedEvents(String tenantId, String type) {
        return app.jdbc().queryForObject("SELECT COUNT(*) FROM domain_event_entry WHERE aggregate_identifier = ? "
                + "AND payload_type LIKE ?", Long.class, "sub-" + tenantId, "%" + type);
    }

    private static List<String> customerOwners(String customer) {
        return app.jdbc().queryForList("SELECT owner_id FROM unique_claims WHERE scope = 'STRIPE_CUSTOMER' "
                + "AND claim_value = ?", String.class, customer);
    }

    /** A tenant subscribed through the service's own checkout: customer linked, the plan's subscription active. */
    private static void subscribe(Account owner, String customer, String subscription, String lookupKey, long t) {
        assertThat(outcome(deliver("checkout.session.completed", t, StripePayloads.checkoutCompleted(id("cs"),
                owner.tenantId(), customer, subscription)))).startsWith("applied");
        assertThat(outcome(deliver("customer.subscription.created", t, StripePayloads.subscription(subscription,
                owner.tenantId(), customer, "active", lookupKey, t, null)))).startsWith("applied");
        assertThat(tenantPlan(owner.tenantId())).isEqualTo(lookupKey.substring(0, lookupKey.indexOf('_')));
    }

    private static void assertSubscription(Account owner, String plan, String customer, int failedPayments) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Response s = http.get("/api/subscription", bearer(owner.accessToken()));
            assertThat(s.status()).as("%s", s).isEqualTo(200);
            assertThat(s.text("plan")).isEqualTo(plan);
            assertThat(s.text("status")).isEqualTo("active");
            assertThat(s.text("stripe_customer_id")).isEqualTo(customer);
            assertThat(s.json().path("failed_payments").asInt()).isEqualTo(failedPayments);
            assertThat(s.json().path("suspended_for_non_payment").asBoolean()).isFalse();
        });
    }

    @Test
    void aCheckoutNamingATenantOnlyInClientReferenceIdIsNotBoundToIt() {
        Account victim = Accounts.registerAndLogin(http, "victim");
        String victimCustomer = id("cus");
        long t = BillingTest.now() - 120;
        subscribe(victim, victimCustomer, id("sub"), "professional_month", t);

        // a Payment Link opened with ?client_reference_id=<victim>: the session has no metadata, a new customer
        String attackerCustomer = id("cus");
        String attackerSubscription = id("sub");
        String forged = deliver("checkout.session.completed", t + 10, StripePayloads.checkoutCompletedWithoutMetadata(
                id("cs"), victim.tenantId(), attackerCustomer, attackerSubscription));
        // then that subscription (no metadata: not created by the service) on another plan, matched by customer only
        String follower = deliver("customer.subscription.created", t + 11, StripePayloads.subscription(
                attackerSubscription, null, attackerCustomer, "active", "starter_month", t + 11, null));

        assertThat(outcome(forged)).startsWith("ignored: no tenant");
        assertThat(outcome(follower)).startsWith("ignored: no tenant");
        assertThat(customerOwners(attackerCustomer)).isEmpty();
        assertThat(storedEvents(victim.tenantId(), "StripeCustomerLinkedEvent")).isEqualTo(1);
        assertThat(tenantPlan(victim.tenantId())).isEqualTo("professional");
        assertSubscription(victim, "professional", victimCustomer, 0);

        // positive control: the same checkout with the metadata the service sets binds the customer to its tenant,
        // and that customer's later events without metadata find the tenant through it
        Account other = Accounts.registerAndLogin(http, "bound");
        String customer = id("cus");
        String subscription = id("sub");
        String bound = deliver("checkout.session.completed", t + 20, StripePayloads.checkoutCompleted(id("cs"),
                other.tenantId(), customer, subscription));
        assertThat(outcome(bound)).startsWith("applied");
        assertThat(customerOwners(customer)).containsExactly(other.tenantId());
        assertThat(outcome(deliver("customer.subscription.created", t + 21, StripePayloads.subscription(subscription,
                null, customer, "active", "starter_month", t + 21, null)))).startsWith("applied");
        assertThat(tenantPlan(other.tenantId())).isEqualTo("starter");
        assertSubscription(other, "starter", customer, 0);
    }

    @Test
    void subscriptionAndInvoiceEventsOfAnotherCustomerAreRecordedAndIgnored() {
        long t = BillingTest.now() - 120;
        Account a = Accounts.registerAndLogin(http, "tenant-a");
        String customerA = id("cus");
        String subscriptionA = id("sub");
        subscribe(a, customerA, subscriptionA, "professional_month", t);
        Account b = Accounts.registerAndLogin(http, "tenant-b");
        String customerB = id("cus");
        subscribe(b, customerB, id("sub"), "starter_month", t);

        // events that name tenant A in their metadata but belong to another customer: a new one, and B's
        String newCustomer = id("cus");
        String foreignSubscription = id("sub");
        List<String> foreign = List.of(
                deliver("customer.subscription.updated", t + 20, StripePayloads.subscription(foreignSubscription,
                        a.tenantId(), newCustomer, "active", "starter_month", t + 20, null)),
                deliver("customer.subscription.deleted", t + 21, StripePayloads.subscription(id("sub"),
                        a.tenantId(), customerB, "canceled", "starter_month", t + 21, null)),
                deliver("invoice.payment_failed", t + 22, StripePayloads.invoiceOf(a.tenantId(), id("in"), customerB,
                        foreignSubscription, 2900, 1, "open")),
                deliver("invoice.payment_failed", t + 23, StripePayloads.invoiceOf(a.tenantId(), id("in"), newCustomer,
                        foreignSubscription, 2900, 2, "open")),
                deliver("invoice.payment_failed", t + 24, StripePayloads.invoiceOf(a.tenantId(), id("in"), newCustomer,
                        foreignSubscription, 2900, 3, "open")));

        foreign.forEach(e -> assertThat(outcome(e)).as(e).startsWith("rejected: customer_mismatch"));
        assertThat(storedEvents(a.tenantId(), "StripeEventRejectedEvent")).isEqualTo(foreign.size());
        assertThat(storedEvents(a.tenantId(), "PaymentFailedEvent")).isZero();
        assertThat(customerOwners(newCustomer)).isEmpty();
        assertThat(customerOwners(customerB)).containsExactly(b.tenantId());
        // A is as it was: same plan, same customer, nothing unpaid, not suspended
        assertThat(tenantPlan(a.tenantId())).isEqualTo("professional");
        assertSubscription(a, "professional", customerA, 0);
        assertThat(http.get("/api/users", bearer(a.accessToken())).status()).isEqualTo(200);
        assertSubscription(b, "starter", customerB, 0);
        // each rejection is in A's audit trail
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(app.jdbc().queryForObject(
                "SELECT COUNT(*) FROM audit_logs WHERE tenant_id = ? AND action = 'subscription.stripe_event_rejected'",
                Long.class, a.tenantId())).isEqualTo(foreign.size()));
        Response history = http.get("/api/history/subscription/sub-" + a.tenantId(), bearer(a.accessToken()));
        assertThat(history.status()).isEqualTo(200);
        assertThat(history.raw()).contains("StripeEventRejectedEvent", "customer_mismatch", newCustomer);

        // positive control: the same events for A's own customer apply
        String failed = deliver("invoice.payment_failed", t + 30, StripePayloads.invoiceOf(a.tenantId(), id("in"),
                customerA, subscriptionA, 9900, 1, "open"));
        assertThat(outcome(failed)).startsWith("applied");
        assertSubscription(a, "professional", customerA, 1);
        String updated = deliver("customer.subscription.updated", t + 31, StripePayloads.subscription(subscriptionA,
                a.tenantId(), customerA, "active", "starter_month", t, null));
        assertThat(outcome(updated)).startsWith("applied");
        assertThat(tenantPlan(a.tenantId())).isEqualTo("starter");
        assertSubscription(a, "starter", customerA, 1);
        assertThat(storedEvents(a.tenantId(), "StripeEventRejectedEvent")).isEqualTo(foreign.size());
    }
}
