package com.catalytic.deploy.support;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stripe webhook events as Stripe builds and signs them: the JSON of an event, and a {@code Stripe-Signature}
 * header {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the endpoint secret>}.
 */
public final class StripePayloads {

    public static final String WEBHOOK_SECRET = "whsec_test_0123456789abcdef";

    private StripePayloads() {
    }

    public static String sign(String payload, String secret, long timestamp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String v1 = HexFormat.of().formatHex(mac.doFinal((timestamp + "." + payload)
                    .getBytes(StandardCharsets.UTF_8)));
            return "t=" + timestamp + ",v1=" + v1;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sign(String payload) {
        return sign(payload, WEBHOOK_SECRET, System.currentTimeMillis() / 1000);
    }

    public static String event(String id, String type, long created, String object) {
        return "{\"id\":\"" + id + "\",\"object\":\"event\",\"api_version\":\"2025-08-27.basil\",\"created\":" + created
                + ",\"livemode\":false,\"pending_webhooks\":1,\"type\":\"" + type + "\",\"data\":{\"object\":" + object
                + "}}";
    }

    public static String checkoutCompleted(String sessionId, String tenantId, String customer, String subscription) {
        return "{\"id\":\"" + sessionId + "\",\"object\":\"checkout.session\",\"mode\":\"subscription\","
                + "\"status\":\"complete\",\"client_reference_id\":\"" + tenantId + "\",\"customer\":\"" + customer
                + "\",\"subscription\":\"" + subscription + "\",\"metadata\":{\"tenant_id\":\"" + tenantId + "\"}}";
    }

    /**
     * A completed subscription checkout that names a tenant only in {@code client_reference_id} (which a Payment Link
     * takes from its URL, so anyone can choose it) and carries no metadata.
     */
    public static String checkoutCompletedWithoutMetadata(String sessionId, String clientReferenceId, String customer,
                                                          String subscription) {
        return "{\"id\":\"" + sessionId + "\",\"object\":\"checkout.session\",\"mode\":\"subscription\","
                + "\"status\":\"complete\",\"client_reference_id\":\"" + clientReferenceId + "\",\"customer\":\""
                + customer + "\",\"subscription\":\"" + subscription + "\",\"metadata\":{}}";
    }

    /** A subscription object; {@code tenantId} null leaves the metadata out (matched by customer then). */
    public static String subscription(String id, String tenantId, String customer, String status, String lookupKey,
                                      long periodStart, Long trialEnd) {
        return "{\"id\":\"" + id + "\",\"object\":\"subscription\",\"customer\":\"" + customer + "\",\"status\":\""
                + status + "\",\"cancel_at_period_end\":false,\"trial_end\":" + trialEnd
                + ",\"metadata\":" + (tenantId == null ? "{}" : "{\"tenant_id\":\"" + tenantId + "\"}")
                + ",\"items\":{\"object\":\"list\",\"data\":[{\"id\":\"si_1\",\"object\":\"subscription_item\","
                + "\"current_period_start\":" + periodStart + ",\"current_period_end\":" + (periodStart + 30 * 86400)
                + ",\"price\":{\"id\":\"price_" + lookupKey + "\",\"object\":\"price\",\"lookup_key\":\"" + lookupKey
                + "\",\"recurring\":{\"interval\":\"month\"}}}]}}";
    }

    /** An invoice in the current API shape (its subscription under parent.subscription_details), no tenant metadata. */
    public static String invoice(String id, String customer, String subscription, long amount, int attempt,
                                 String status) {
        return "{\"id\":\"" + id + "\",\"object\":\"invoice\",\"customer\":\"" + customer + "\",\"status\":\"" + status
                + "\",\"amount_due\":" + amount + ",\"amount_paid\":" + ("paid".equals(status) ? amount : 0)
                + ",\"currency\":\"usd\",\"attempt_count\":" + attempt + ",\"next_payment_attempt\":null,"
                + "\"hosted_invoice_url\":\"https://invoice.stripe.test/i/" + id + "\","
                + "\"parent\":{\"type\":\"subscription_details\",\"subscription_details\":{\"subscription\":\""
                + subscription + "\",\"metadata\":{}}}}";
    }

    /** {@link #invoice} with the subscription's metadata naming {@code tenantId}, as Stripe copies it onto invoices. */
    public static String invoiceOf(String tenantId, String id, String customer, String subscription, long amount,
                                   int attempt, String status) {
        return invoice(id, customer, subscription, amount, attempt, status).replace("\"metadata\":{}",
                "\"metadata\":{\"tenant_id\":\"" + tenantId + "\"}");
    }
}
