package com.catalytic.command.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.billing.SubscriptionCommands.CompleteCheckoutCommand;
import com.catalytic.api.billing.SubscriptionCommands.RecordPaymentFailedCommand;
import com.catalytic.api.billing.SubscriptionCommands.RecordPaymentSucceededCommand;
import com.catalytic.api.billing.SubscriptionCommands.RecordTrialEndingCommand;
import com.catalytic.api.billing.SubscriptionCommands.SyncSubscriptionCommand;
import com.catalytic.command.billing.StripeEvents.Translation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stripe's JSON → subscription commands, for the shapes of the older and the current API versions. */
class StripeEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final StripeEvents events = new StripeEvents(
            customer -> "cus_known".equals(customer) ? "tenant-by-customer" : null,
            Map.of("price_custom_1", "professional_year"));

    private static JsonNode event(String type, String object) throws Exception {
        return JSON.readTree("{\"id\":\"evt_1\",\"type\":\"" + type + "\",\"created\":1790000000,"
                + "\"data\":{\"object\":" + object + "}}");
    }

    @Test
    void aSubscriptionOfTheOlderShapeWithTopLevelPeriods() throws Exception {
        Translation t = events.translate(event("customer.subscription.updated", "{\"id\":\"sub_1\","
                + "\"customer\":\"cus_x\",\"status\":\"past_due\",\"current_period_start\":1790000000,"
                + "\"current_period_end\":1792592000,\"cancel_at_period_end\":true,\"trial_end\":null,"
                + "\"metadata\":{\"tenant_id\":\"tenant-1\"},\"items\":{\"data\":[{\"price\":{\"id\":\"price_9\","
                + "\"lookup_key\":\"starter_year\",\"recurring\":{\"interval\":\"year\"}}}]}}"));
        SyncSubscriptionCommand c = (SyncSubscriptionCommand) t.command();
        assertThat(t.tenantId()).isEqualTo("tenant-1");
        assertThat(c.subscriptionId()).isEqualTo("sub-tenant-1");
        assertThat(c.plan()).isEqualTo("starter");
        assertThat(c.interval()).isEqualTo("year");
        assertThat(c.status()).isEqualTo("past_due");
        assertThat(c.currentPeriodEnd()).isEqualTo(Instant.ofEpochSecond(1792592000));
        assertThat(c.cancelAtPeriodEnd()).isTrue();
        assertThat(c.stripeEvent().created()).isEqualTo(Instant.ofEpochSecond(1790000000));
    }

    @Test
    void aConfiguredPriceIdStandsForItsLookupKeyAndDeletedMeansCanceled() throws Exception {
        Translation t = events.translate(event("customer.subscription.deleted", "{\"id\":\"sub_1\","
                + "\"customer\":\"cus_known\",\"status\":\"active\",\"items\":{\"data\":[{"
                + "\"current_period_start\":1790000000,\"price\":{\"id\":\"price_custom_1\"}}]}}"));
        SyncSubscriptionCommand c = (SyncSubscriptionCommand) t.command();
        assertThat(t.tenantId()).isEqualTo("tenant-by-customer");
        assertThat(c.plan()).isEqualTo("professional");
        assertThat(c.interval()).isEqualTo("year");
        assertThat(c.status()).isEqualTo("canceled");
        assertThat(c.currentPeriodStart()).isEqualTo(Instant.ofEpochSecond(1790000000));
    }

    @Test
    void invoicesOfBothShapes() throws Exception {
        Translation older = events.translate(event("invoice.payment_failed", "{\"id\":\"in_1\",\"customer\":"
                + "\"cus_x\",\"subscription\":\"sub_1\",\"amount_due\":2900,\"currency\":\"eur\",\"attempt_count\":2,"
                + "\"next_payment_attempt\":1790086400,\"subscription_details\":{\"metadata\":{\"tenant_id\":\"t-2\"}}}"));
        RecordPaymentFailedCommand f = (RecordPaymentFailedCommand) older.command();
        assertThat(older.tenantId()).isEqualTo("t-2");
        assertThat(f.invoice().stripeSubscriptionId()).isEqualTo("sub_1");
        assertThat(f.invoice().customerId()).isEqualTo("cus_x");
        assertThat(f.invoice().amount()).isEqualTo(2900);
        assertThat(f.invoice().attemptCount()).isEqualTo(2);
        assertThat(f.invoice().nextPaymentAttempt()).isEqualTo(Instant.ofEpochSecond(1790086400));

        Translation current = events.translate(event("invoice.payment_succeeded", "{\"id\":\"in_2\",\"customer\":"
                + "\"cus_known\",\"amount_paid\":9900,\"currency\":\"usd\",\"parent\":{\"subscription_details\":"
                + "{\"subscription\":\"sub_2\",\"metadata\":{}}}}"));
        RecordPaymentSucceededCommand p = (RecordPaymentSucceededCommand) current.command();
        assertThat(current.tenantId()).isEqualTo("tenant-by-customer");
        assertThat(p.invoice().stripeSubscriptionId()).isEqualTo("sub_2");
        assertThat(p.invoice().amount()).isEqualTo(9900);
    }

    @Test
    void checkoutAndTrialEnd() throws Exception {
        CompleteCheckoutCommand c = (CompleteCheckoutCommand) events.translate(event("checkout.session.completed",
                "{\"id\":\"cs_1\",\"mode\":\"subscription\",\"client_reference_id\":\"t-3\",\"customer\":\"cus_3\","
                        + "\"subscription\":\"sub_3\",\"metadata\":{\"tenant_id\":\"t-3\"}}")).command();
        assertThat(c.tenantId()).isEqualTo("t-3");
        assertThat(c.customerId()).isEqualTo("cus_3");
        RecordTrialEndingCommand e = (RecordTrialEndingCommand) events.translate(event(
                "customer.subscription.trial_will_end", "{\"id\":\"sub_3\",\"customer\":\"cus_3\","
                        + "\"trial_end\":1790300000,\"metadata\":{\"tenant_id\":\"t-3\"}}")).command();
        assertThat(e.trialEnd()).isEqualTo(Instant.ofEpochSecond(1790300000));
        assertThat(e.customerId()).isEqualTo("cus_3");
    }

    @Test
    void clientReferenceIdNamesNoTenant() throws Exception {
        // a Payment Link takes client_reference_id from its URL: whoever opens the link chooses it
        Translation unknown = events.translate(event("checkout.session.completed", "{\"id\":\"cs_1\","
                + "\"mode\":\"subscription\",\"client_reference_id\":\"victim\",\"customer\":\"cus_new\","
                + "\"subscription\":\"sub_1\",\"metadata\":{}}"));
        assertThat(unknown.command()).isNull();
        assertThat(unknown.ignoredBecause()).startsWith("no tenant");
        // without metadata, a customer on record still finds the tenant it was linked to, whatever the reference says
        Translation known = events.translate(event("checkout.session.completed", "{\"id\":\"cs_1\","
                + "\"mode\":\"subscription\",\"client_reference_id\":\"victim\",\"customer\":\"cus_known\","
                + "\"subscription\":\"sub_1\"}"));
        assertThat(known.tenantId()).isEqualTo("tenant-by-customer");
    }

    @Test
    void whatCannotBeAppliedIsIgnoredWithAReason() throws Exception {
        assertThat(events.translate(event("charge.refunded", "{\"id\":\"ch_1\"}")).ignoredBecause())
                .isEqualTo("event type not handled");
        assertThat(events.translate(event("invoice.paid", "{\"id\":\"in_1\",\"customer\":\"cus_unknown\"}"))
                .ignoredBecause()).startsWith("no tenant");
        assertThat(events.translate(event("checkout.session.completed", "{\"id\":\"cs_1\",\"mode\":\"payment\","
                + "\"metadata\":{\"tenant_id\":\"t\"},\"customer\":\"cus_1\"}")).ignoredBecause())
                .isEqualTo("not a subscription checkout");
        assertThat(events.translate(event("customer.subscription.updated", "{\"metadata\":{\"tenant_id\":\"t\"}}"))
                .ignoredBecause()).isEqualTo("subscription without id or status");
        assertThat(events.translate(event("invoice.paid", "{\"metadata\":{\"tenant_id\":\"t\"}}")).ignoredBecause())
                .isEqualTo("invoice without id");
    }
}
