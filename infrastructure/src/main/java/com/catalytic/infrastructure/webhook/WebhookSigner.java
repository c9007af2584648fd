package com.catalytic.infrastructure.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signatures per the Standard Webhooks specification: {@code webhook-id}, {@code webhook-timestamp} (seconds) and
 * {@code webhook-signature}, a space-separated list of {@code v1,<Base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">},
 * one per valid secret (both while a rotated secret is within its overlap), keyed by the Base64-decoded bytes
 * after {@code whsec_}.
 */
public final class WebhookSigner {

    public static final String ID = "webhook-id";
    public static final String TIMESTAMP = "webhook-timestamp";
    public static final String SIGNATURE = "webhook-signature";

    private WebhookSigner() {
    }

    /** The three headers of a delivery of {@code body} (the exact bytes sent) signed with each of {@code secrets}. */
    public static Map<String, String> headers(String messageId, long timestampSeconds, String body,
                                              List<String> secrets) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("a delivery needs at least one secret");
        }
        Map<String, String> out = new LinkedHashMap<>();
        out.put(ID, messageId);
        out.put(TIMESTAMP, Long.toString(timestampSeconds));
        out.put(SIGNATURE, secrets.stream().map(s -> sign(s, messageId, timestampSeconds, body))
                .collect(Collectors.joining(" ")));
        return out;
    }

    /** One {@code v1,…} signature. */
    public static String sign(String secret, String messageId, long timestampSeconds, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(WebhookSecrets.keyBytes(secret), "HmacSHA256"));
            byte[] signed = mac.doFinal((messageId + "." + timestampSeconds + "." + body)
                    .getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(signed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
