package com.catalytic.command.billing;

import com.catalytic.api.error.DomainException;
import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Price;
import com.stripe.net.RequestOptions;
import com.stripe.param.PriceListParams;
import com.stripe.param.checkout.SessionCreateParams;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls this service makes to Stripe, through stripe-java's {@link StripeClient} (its API base is configurable
 * so that tests talk to a local fake). Prices are found by lookup key ({@code <plan>_<interval>}) unless a price id is
 * configured for that key; a found id is remembered for {@code priceTtl} (a price moved to another lookup key in
 * Stripe's dashboard is used within that time on every node), and forgotten at once on the node that receives one
 * of Stripe's {@code price.*} events.
 */
class StripeGateway {

    private static final Logger log = LoggerFactory.getLogger(StripeGateway.class);

    /** A Checkout Session to create: the server, never the client, decides every field. */
    public record CheckoutRequest(String tenantId, String plan, String interval, String priceLookupKey,
                                  String customerId, String customerEmail, Long trialDays, String successUrl,
                                  String cancelUrl, String idempotencyKey) {
    }

    public record Redirect(String id, String url) {
    }

    private record Found(String priceId, Instant at) {
    }

    private final StripeClient client;
    private final Map<String, String> configuredPrices;
    private final Duration priceTtl;
    private final Clock clock;
    private final Map<String, Found> foundPrices = new ConcurrentHashMap<>();

    public StripeGateway(StripeClient client, Map<String, String> configuredPrices, Duration priceTtl, Clock clock) {
        this.client = client;
        this.configuredPrices = Map.copyOf(configuredPrices);
        this.priceTtl = priceTtl;
        this.clock = clock;
    }

    /** Forgets every price id found by lookup key: the next checkout looks its price up again. */
    public void forgetFoundPrices() {
        foundPrices.clear();
    }

    public Redirect createCheckout(CheckoutRequest r) {
        String price = priceFor(r.priceLookupKey());
        SessionCreateParams.SubscriptionData.Builder subscription = SessionCreateParams.SubscriptionData.builder()
                .putMetadata("tenant_id", r.tenantId())
                .putMetadata("plan", r.plan())
                .putMetadata("interval", r.interval());
        if (r.trialDays() != null && r.trialDays() > 0) {
            subscription.setTrialPeriodDays(r.trialDays());
        }
        SessionCreateParams.Builder params = SessionCreateParams.builder()
                .setMode(SessionCreateParams.Mode.SUBSCRIPTION)
                .addLineItem(SessionCreateParams.LineItem.builder().setPrice(price).setQuantity(1L).build())
                .setClientReferenceId(r.tenantId())
                .putMetadata("tenant_id", r.tenantId())
                .putMetadata("plan", r.plan())
                .putMetadata("interval", r.interval())
                .setSubscriptionData(subscription.build())
                .setSuccessUrl(r.successUrl())
                .setCancelUrl(r.cancelUrl());
        if (r.customerId() != null) {
            params.setCustomer(r.customerId());
        } else if (r.customerEmail() != null) {
            params.setCustomerEmail(r.customerEmail());
        }
        try {
            // the same request again (a double click, a retry) gets the same session from Stripe, not a second one
            com.stripe.model.checkout.Session session = client.v1().checkout().sessions().create(params.build(),
                    RequestOptions.builder().setIdempotencyKey(r.idempotencyKey()).build());
            return new Redirect(session.getId(), session.getUrl());
        } catch (StripeException e) {
            throw providerError("create a checkout session", e);
        }
    }

    public Redirect createPortal(String customerId, String returnUrl) {
        try {
            com.stripe.model.billingportal.Session session = client.v1().billingPortal().sessions().create(
                    com.stripe.param.billingportal.SessionCreateParams.builder()
                            .setCustomer(customerId).setReturnUrl(returnUrl).build());
            return new Redirect(session.getId(), session.getUrl());
        } catch (StripeException e) {
            throw providerError("create a billing portal session", e);
        }
    }

    String priceFor(String lookupKey) {
        String configured = configuredPrices.get(lookupKey);
        if (configured != null) {
            return configured;
        }
        Found known = foundPrices.get(lookupKey);
        Instant now = clock.instant();
        if (known != null && now.isBefore(known.at().plus(priceTtl))) {
            return known.priceId();
        }
        try {
            List<Price> prices = client.v1().prices().list(PriceListParams.builder().addLookupKey(lookupKey)
                    .setActive(true).build()).getData();
            if (prices == null || prices.isEmpty()) {
                throw new DomainException(DomainException.Kind.UNAVAILABLE, "billing_price_missing",
                        "no active Stripe price has the lookup key '" + lookupKey + "'; create one or configure "
                                + "catalytic.billing.prices." + lookupKey);
            }
            String id = prices.get(0).getId();
            foundPrices.put(lookupKey, new Found(id, now));
            return id;
        } catch (StripeException e) {
            throw providerError("find the price " + lookupKey, e);
        }
    }

    private static DomainException providerError(String what, StripeException e) {
        // Stripe's message names the problem (never a secret); the request id lets support find it at Stripe
        log.warn("Stripe refused to {}: HTTP {} {} (request {})", what, e.getStatusCode(), e.getMessage(),
                e.getRequestId());
        return new DomainException(DomainException.Kind.UNAVAILABLE, "billing_provider_error",
                "the payment provider could not " + what + "; try again shortly");
    }
}
