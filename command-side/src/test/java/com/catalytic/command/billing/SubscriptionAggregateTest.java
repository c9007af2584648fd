package com.catalytic.command.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.billing.SubscriptionCommands.BillingStatus;
import com.catalytic.api.billing.SubscriptionCommands.CompleteCheckoutCommand;
import com.catalytic.api.billing.SubscriptionCommands.InvoiceFacts;
import com.catalytic.api.billing.SubscriptionCommands.RecordPaymentActionRequiredCommand;
import com.catalytic.api.billing.SubscriptionCommands.RecordPaymentFailedCommand;
import com.catalytic.api.billing.SubscriptionCommands.RecordPaymentSucceededCommand;
import com.catalytic.api.billing.SubscriptionCommands.RecordTrialEndingCommand;
import com.catalytic.api.billing.SubscriptionCommands.StripeEventRef;
import com.catalytic.api.billing.SubscriptionCommands.SyncSubscriptionCommand;
import com.catalytic.api.billing.SubscriptionCommands;
import com.catalytic.api.billing.SubscriptionEvents.NonPaymentResolvedEvent;
import com.catalytic.api.billing.SubscriptionEvents.PaymentFailedEvent;
import com.catalytic.api.billing.SubscriptionEvents.PaymentSucceededEvent;
import com.catalytic.api.billing.SubscriptionEvents.StripeCustomerLinkedEvent;
import com.catalytic.api.billing.SubscriptionEvents.StripeEventRejectedEvent;
import com.catalytic.api.billing.SubscriptionEvents.SubscriptionUpdatedEvent;
import com.catalytic.api.billing.SubscriptionEvents.SuspendedForNonPaymentEvent;
import com.catalytic.api.billing.SubscriptionEvents;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Role;
import com.catalytic.api.plan.PlanCatalogue;
import com.catalytic.command.uniqueness.InMemoryUniqueKeyRegistry;
import com.catalytic.command.uniqueness.UniqueKeyRegistry.Scope;
import java.time.Instant;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The subscription follows Stripe: redeliveries and stale reports change nothing; dunning suspends and reinstates. */
class SubscriptionAggregateTest {

    private static final String TENANT = "tenant-1";
    private static final String SUB = "sub-tenant-1";
    private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

    private AggregateTestFixture<SubscriptionAggregate> fixture;
    private InMemoryUniqueKeyRegistry registry;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(SubscriptionAggregate.class);
        registry = new InMemoryUniqueKeyRegistry();
        fixture.registerInjectableResource(registry);
        fixture.registerInjectableResource(PlanCatalogue.defaults());
        fixture.registerInjectableResource(new DunningPolicy(3));
    }

    private static StripeEventRef ref(String id, String type, Instant created) {
        return new StripeEventRef(id, type, created);
    }

    private static SyncSubscriptionCommand sync(String eventId, String type, Instant created, String status) {
        return new SyncSubscriptionCommand(SUB, TENANT, ref(eventId, type, created), "cus_1", "sub_stripe_1",
                "professional", "month", status, T0, T0.plusSeconds(30 * 86400), null, false);
    }

    private static SubscriptionUpdatedEvent updated(String eventId, Instant created, String status) {
        return new SubscriptionUpdatedEvent(SUB, TENANT, "sub_stripe_1", "professional", "month", status, T0,
                T0.plusSeconds(30 * 86400), null, false, eventId, created);
    }

    private static StripeCustomerLinkedEvent linked(String eventId, Instant created) {
        return new StripeCustomerLinkedEvent(SUB, TENANT, "cus_1", eventId, created);
    }

    private static InvoiceFacts invoice(String id, int attempt) {
        return invoice(id, "cus_1", attempt);
    }

    private static InvoiceFacts invoice(String id, String customer, int attempt) {
        return new InvoiceFacts(id, customer, "sub_stripe_1", 9900, "usd", attempt, null, "https://invoice.test/" + id);
    }

    private static PaymentFailedEvent failed(String eventId, String invoice, int attempt, int failures, Instant at) {
        return new PaymentFailedEvent(SUB, TENANT, invoice, 9900, "usd", attempt, failures, null,
                "https://invoice.test/" + invoice, eventId, at);
    }

    @Test
    void aNewSubscriptionLinksTheCustomerAndEntitlesThePlan() {
        fixture.givenNoPriorActivity()
               .when(sync("evt_1", "customer.subscription.created", T0, "trialing"))
               .expectEvents(linked("evt_1", T0), updated("evt_1", T0, "trialing"))
               .expectResultMessagePayload(new BillingStatus("professional", false, 0));
        assertThat(registry.ownerOf(Scope.STRIPE_CUSTOMER, "cus_1")).isEqualTo(TENANT);
    }

    @Test
    void aRedeliveredEventChangesNothing() {
        fixture.given(linked("evt_1", T0), updated("evt_1", T0, "active"))
               .when(sync("evt_1", "customer.subscription.created", T0, "active"))
               .expectNoEvents()
               .expectResultMessagePayload(new BillingStatus("professional", false, 0));
    }

    @Test
    void anOlderReportDoesNotRollTheSubscriptionBack() {
        fixture.given(linked("evt_2", T0.plusSeconds(60)), updated("evt_2", T0.plusSeconds(60), "canceled"))
               .when(sync("evt_1", "customer.subscription.updated", T0, "active"))
               .expectNoEvents()
               .expectResultMessagePayload(new BillingStatus("free", false, 0));
    }

    @Test
    void aCreationReportedInTheSameSecondAsAnUpdateIsStale() {
        fixture.given(linked("evt_2", T0), updated("evt_2", T0, "active"))
               .when(sync("evt_1", "customer.subscription.created", T0, "incomplete"))
               .expectNoEvents();
    }

    @Test
    void aLaterUpdateApplies() {
        fixture.given(linked("evt_1", T0), updated("evt_1", T0, "trialing"))
               .when(sync("evt_2", "customer.subscription.updated", T0.plusSeconds(5), "active"))
               .expectEvents(updated("evt_2", T0.plusSeconds(5), "active"));
    }

    @Test
    void theEndOfAnOldSubscriptionDoesNotCancelTheLiveOne() {
        SyncSubscriptionCommand oldEnds = new SyncSubscriptionCommand(SUB, TENANT,
                ref("evt_9", "customer.subscription.deleted", T0.plusSeconds(90)), "cus_1", "sub_stripe_OLD",
                "starter", "month", "canceled", null, null, null, false);
        fixture.given(linked("evt_1", T0), updated("evt_1", T0, "active"))
               .when(oldEnds)
               .expectNoEvents()
               .expectResultMessagePayload(new BillingStatus("professional", false, 0));
    }

    @Test
    void theThirdFailedPaymentInARowSuspends() {
        Instant t = T0.plusSeconds(100);
        fixture.given(linked("evt_1", T0), updated("evt_1", T0, "past_due"),
                       failed("evt_f1", "in_1", 1, 1, t), failed("evt_f2", "in_1", 2, 2, t.plusSeconds(10)))
               .when(new RecordPaymentFailedCommand(SUB, TENANT, ref("evt_f3", "invoice.payment_failed",
                       t.plusSeconds(20)), invoice("in_1", 3)))
               .expectEvents(failed("evt_f3", "in_1", 3, 3, t.plusSeconds(20)),
                       new SuspendedForNonPaymentEvent(SUB, TENANT, 3))
               .expectResultMessagePayload(new BillingStatus("professional", true, 3));
    }

    @Test
    void theSameFailedAttemptReportedTwiceCountsOnce() {
        Instant t = T0.plusSeconds(100);
        fixture.given(linked("evt_1", T0), updated("evt_1", T0, "past_due"), failed("evt_f1", "in_1", 1, 1, t))
               .when(new RecordPaymentFailedCommand(SUB, TENANT, ref("evt_other", "invoice.payment_failed", t),
                       invoice("in_1", 1)))
               .expectNoEvents();
    }

    @Test
    void aPaymentReinstatesATenantSuspendedForNonPayment() {
        Instant t = T0.plusSeconds(100);
        fixture.given(linked("evt_1", T0), updated("evt_1", T0, "past_due"),
                       failed("evt_f1", "in_1", 1, 1, t), failed("evt_f2", "in_1", 2, 2, t),
                       failed("evt_f3", "in_1", 3, 3, t), new SuspendedForNonPaymentEvent(SUB, TENANT, 3))
               .when(new RecordPaymentSucceededCommand(SUB, TENANT, ref("evt_p", "invoice.paid", t.plusSeconds(60)),
                       invoice("in_1", 4)))
               .expectEvents(new PaymentSucceededEvent(SUB, TENANT, "in_1", 9900, "usd", "https://invoice.test/in_1",
                               0, "evt_p", t.plusSeconds(60)),
                       new NonPaymentResolvedEvent(SUB, TENANT, "in_1"))
               .expectResultMessagePayload(new BillingStatus("professional", false, 0));
    }

    @Test
    void paidAndPaymentSucceededForOneInvoiceCountOnceAndALateFailureOfAPaidInvoiceIsIgnored() {
        Instant t = T0.plusSeconds(100);
        PaymentSucceededEvent paid = new PaymentSucceededEvent(SUB, TENANT, "in_1", 9900, "usd",
                "https://invoice.test/in_1", 0, "evt_p", t);
        fixture.given(linked("evt_1", T0), updated("evt_1", T0, "active"), paid)
               .when(new RecordPaymentSucceededCommand(SUB, TENANT, ref("evt_p2", "invoice.payment_succeeded", t),
                       invoice("in_1", 1)))
               .expectNoEvents();
        fixture.given(linked("evt_1", T0), updated("evt_1", T0, "active"), paid)
               .when(new RecordPaymentFailedCommand(SUB, TENANT, ref("evt_f", "invoice.payment_failed",
                       t.minusSeconds(5)), invoice("in_1", 1)))
               .expectNoEvents();
    }

    @Test
    void theSameCheckoutSessionIsRecordedOnce() {
        fixture.given(new SubscriptionEvents.CheckoutStartedEvent(SUB, TENANT, "cs_1",
                       "starter", "month", "user-1"))
               .when(new SubscriptionCommands.RecordCheckoutCommand(SUB, TENANT, "cs_1",
                       "starter", "month", new Actor("user-1",
                       Role.OWNER, null)))
               .expectNoEvents();
    }

    private static StripeEventRejectedEvent rejected(String reason, String customer, String linked, StripeEventRef ref) {
        return new StripeEventRejectedEvent(SUB, TENANT, reason, customer, linked, ref.id(), ref.type(), ref.created());
    }

    @Test
    void aCheckoutWithACustomerOfAnotherTenantIsRecordedAsRejected() {
        registry.claim(Scope.STRIPE_CUSTOMER, "cus_1", "tenant-2");
        StripeEventRef checkout = ref("evt_c", "checkout.session.completed", T0);
        fixture.givenNoPriorActivity()
               .when(new CompleteCheckoutCommand(SUB, TENANT, checkout, "cs_1", "cus_1", "sub_stripe_1"))
               .expectEvents(rejected("customer_taken", "cus_1", null, checkout))
               .expectResultMessagePayload(new BillingStatus("free", false, 0, "customer_taken"));
        assertThat(registry.ownerOf(Scope.STRIPE_CUSTOMER, "cus_1")).isEqualTo("tenant-2");
    }

    @Test
    void aSubscriptionOfAnotherCustomerIsRecordedAsRejectedAndChangesNothing() {
        registry.claim(Scope.STRIPE_CUSTOMER, "cus_1", TENANT);
        StripeEventRef ref = ref("evt_2", "customer.subscription.updated", T0.plusSeconds(60));
        SyncSubscriptionCommand foreign = new SyncSubscriptionCommand(SUB, TENANT, ref, "cus_2", "sub_stripe_2",
                "starter", "month", "canceled", T0, T0.plusSeconds(30 * 86400), null, false);
        fixture.given(linked("evt_1", T0), updated("evt_1", T0, "active"))
               .when(foreign)
               .expectEvents(rejected("customer_mismatch", "cus_2", "cus_1", ref))
               .expectResultMessagePayload(new BillingStatus("professional", false, 0, "customer_mismatch"));
        assertThat(registry.ownerOf(Scope.STRIPE_CUSTOMER, "cus_2")).as("not claimed").isNull();
        // positive control: the same report from the subscription's own customer applies
        fixture.given(linked("evt_1", T0), updated("evt_1", T0, "active"))
               .when(new SyncSubscriptionCommand(SUB, TENANT, ref, "cus_1", "sub_stripe_1", "starter", "month",
                       "canceled", T0, T0.plusSeconds(30 * 86400), null, false))
               .expectEvents(new SubscriptionUpdatedEvent(SUB, TENANT, "sub_stripe_1", "starter", "month", "canceled",
                       T0, T0.plusSeconds(30 * 86400), null, false, "evt_2", T0.plusSeconds(60)))
               .expectResultMessagePayload(new BillingStatus("free", false, 0));
    }

    @Test
    void invoicesAndNoticesOfAnotherCustomerAreRecordedAsRejected() {
        Instant t = T0.plusSeconds(100);
        StripeEventRef third = ref("evt_f3", "invoice.payment_failed", t.plusSeconds(20));
        // two failures counted; the third, which would suspend, belongs to another customer
        fixture.given(linked("evt_1", T0), updated("evt_1", T0, "past_due"),
                       failed("evt_f1", "in_1", 1, 1, t), failed("evt_f2", "in_1", 2, 2, t.plusSeconds(10)))
               .when(new RecordPaymentFailedCommand(SUB, TENANT, third, invoice("in_9", "cus_2", 1)))
               .expectEvents(rejected("customer_mismatch", "cus_2", "cus_1", third))
               .expectResultMessagePayload(new BillingStatus("professional", false, 2, "customer_mismatch"));
        StripeEventRef paid = ref("evt_p", "invoice.paid", t);
        fixture.given(linked("evt_1", T0), updated("evt_1", T0, "past_due"), failed("evt_f1", "in_1", 1, 1, t))
               .when(new RecordPaymentSucceededCommand(SUB, TENANT, paid, invoice("in_9", "cus_2", 1)))
               .expectEvents(rejected("customer_mismatch", "cus_2", "cus_1", paid))
               .expectResultMessagePayload(new BillingStatus("professional", false, 1, "customer_mismatch"));
        StripeEventRef action = ref("evt_a", "invoice.payment_action_required", t);
        fixture.given(linked("evt_1", T0))
               .when(new RecordPaymentActionRequiredCommand(SUB, TENANT, action, invoice("in_9", null, 1)))
               .expectEvents(rejected("customer_mismatch", null, "cus_1", action));
        StripeEventRef trial = ref("evt_t", "customer.subscription.trial_will_end", t);
        fixture.given(linked("evt_1", T0))
               .when(new RecordTrialEndingCommand(SUB, TENANT, trial, "cus_2", "sub_stripe_2", t.plusSeconds(86400)))
               .expectEvents(rejected("customer_mismatch", "cus_2", "cus_1", trial));
    }

    @Test
    void aRejectedEventDeliveredAgainIsNotRecordedTwice() {
        StripeEventRef ref = ref("evt_x", "invoice.payment_failed", T0.plusSeconds(5));
        fixture.given(linked("evt_1", T0), rejected("customer_mismatch", "cus_2", "cus_1", ref))
               .when(new RecordPaymentFailedCommand(SUB, TENANT, ref, invoice("in_9", "cus_2", 1)))
               .expectNoEvents();
    }

    @Test
    void theFirstCustomerSeenIsLinkedEvenByAnInvoice() {
        StripeEventRef ref = ref("evt_f1", "invoice.payment_failed", T0);
        fixture.givenNoPriorActivity()
               .when(new RecordPaymentFailedCommand(SUB, TENANT, ref, invoice("in_1", 1)))
               .expectEvents(linked("evt_f1", T0), failed("evt_f1", "in_1", 1, 1, T0));
        assertThat(registry.ownerOf(Scope.STRIPE_CUSTOMER, "cus_1")).isEqualTo(TENANT);
    }

    @Test
    void aCompletedCheckoutMayLinkANewCustomerButNotAnotherTenants() {
        registry.claim(Scope.STRIPE_CUSTOMER, "cus_1", TENANT);
        StripeEventRef checkout = ref("evt_c2", "checkout.session.completed", T0.plusSeconds(60));
        fixture.given(linked("evt_1", T0), updated("evt_1", T0, "canceled"))
               .when(new CompleteCheckoutCommand(SUB, TENANT, checkout, "cs_2", "cus_2", "sub_stripe_2"))
               .expectEvents(new StripeCustomerLinkedEvent(SUB, TENANT, "cus_2", "evt_c2", T0.plusSeconds(60)));
        assertThat(registry.ownerOf(Scope.STRIPE_CUSTOMER, "cus_2")).isEqualTo(TENANT);
        // the customer linked before is still on record for the tenant, but no longer its subscription's
        StripeEventRef late = ref("evt_9", "invoice.payment_failed", T0.plusSeconds(90));
        fixture.given(linked("evt_1", T0), new StripeCustomerLinkedEvent(SUB, TENANT, "cus_2", "evt_c2",
                       T0.plusSeconds(60)))
               .when(new RecordPaymentFailedCommand(SUB, TENANT, late, invoice("in_1", "cus_1", 1)))
               .expectEvents(rejected("customer_mismatch", "cus_1", "cus_2", late));
        registry.claim(Scope.STRIPE_CUSTOMER, "cus_3", "tenant-2");
        StripeEventRef taken = ref("evt_c3", "checkout.session.completed", T0.plusSeconds(120));
        fixture.given(linked("evt_1", T0))
               .when(new CompleteCheckoutCommand(SUB, TENANT, taken, "cs_3", "cus_3", "sub_stripe_3"))
               .expectEvents(rejected("customer_taken", "cus_3", "cus_1", taken));
    }
}
