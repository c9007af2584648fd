package com.catalytic.deploy.billing;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.FakeStripe;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.StripePayloads;
import com.catalytic.deploy.support.TestApp;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A price found by lookup key is remembered, and looked up again once Stripe says a price changed (a
 * {@code price.*} event): a price replaced in the dashboard is used by the next checkout, without a restart.
 */
class PriceRefreshTest {

    static FakeStripe stripe;
    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        stripe = new FakeStripe();
        Map<String, String> settings = new HashMap<>(stripe.appSettings());
        settings.put("catalytic.billing.price-cache-ttl", "1h");
        app = TestApp.start(TestApp.newSchema(), settings);
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
        stripe.close();
    }

    /** A checkout of starter, monthly, by a new tenant: the price id Stripe was asked to charge. */
    private static String checkoutPrice() {
        Account owner = Accounts.registerAndLogin(http, "price");
        Response r = http.post("/api/subscription/checkout", Map.of("plan", "starter", "interval", "month"),
                bearer(owner.accessToken()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return stripe.requests("POST", "/v1/checkout/sessions").stream()
                .filter(q -> owner.tenantId().equals(q.params().get("client_reference_id"))).findFirst().orElseThrow()
                .params().get("line_items[0][price]");
    }

    private static long priceLookups() {
        return stripe.requests("GET", "/v1/prices").stream()
                .filter(q -> q.params().containsValue("starter_month")).count();
    }

    @Test
    void aPriceEventMakesTheNextCheckoutLookThePriceUpAgain() {
        assertThat(checkoutPrice()).isEqualTo("price_starter_month");
        assertThat(priceLookups()).isEqualTo(1);
        stripe.replacePrice("starter_month", "price_starter_2027");
        // remembered: the replacement is not seen yet
        assertThat(checkoutPrice()).isEqualTo("price_starter_month");
        assertThat(priceLookups()).isEqualTo(1);

        String payload = StripePayloads.event("evt_price_" + System.nanoTime(), "price.updated",
                System.currentTimeMillis() / 1000, "{\"id\":\"price_starter_2027\",\"object\":\"price\","
                        + "\"active\":true,\"lookup_key\":\"starter_month\"}");
        Response event = http.postRaw("/webhooks/stripe", payload, "application/json", "Stripe-Signature",
                StripePayloads.sign(payload));
        assertThat(event.status()).as(event.toString()).isEqualTo(200);

        assertThat(checkoutPrice()).isEqualTo("price_starter_2027");
        assertThat(priceLookups()).isEqualTo(2);
        assertThat(checkoutPrice()).isEqualTo("price_starter_2027");
        assertThat(priceLookups()).as("remembered again").isEqualTo(2);
    }
}
