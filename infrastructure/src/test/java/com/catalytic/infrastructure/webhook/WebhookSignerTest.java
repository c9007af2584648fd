package com.catalytic.infrastructure.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Our signatures checked by the specification's reference implementation for Java ({@code com.standardwebhooks:
 * standardwebhooks}), which shares no code with ours.
 */
class WebhookSignerTest {

    static final String BODY = "{\"id\":\"evt-1\",\"type\":\"user.added\",\"created_at\":\"2030-01-01T00:00:00Z\","
            + "\"tenant_id\":\"t-1\",\"data\":{\"user_id\":\"u-1\",\"email\":\"zoë@example.com\"}}";

    static Map<String, List<String>> asReceived(Map<String, String> headers) {
        return headers.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue())));
    }

    @Test
    void theReferenceImplementationVerifiesOurSignature() throws Exception {
        String secret = WebhookSecrets.generate();
        long now = Instant.now().getEpochSecond();
        Map<String, String> headers = WebhookSigner.headers("evt-1", now, BODY, List.of(secret));
        assertThat(headers).containsOnlyKeys("webhook-id", "webhook-timestamp", "webhook-signature");
        new Webhook(secret).verify(BODY, asReceived(headers));
        // and it signs exactly as we do
        assertThat(new Webhook(secret).sign("evt-1", now, BODY)).isEqualTo(headers.get("webhook-signature"));
    }

    @Test
    void theReferenceImplementationRefusesAnotherBodySecretOrId() {
        String secret = WebhookSecrets.generate();
        long now = Instant.now().getEpochSecond();
        Map<String, String> headers = WebhookSigner.headers("evt-1", now, BODY, List.of(secret));
        assertThatThrownBy(() -> new Webhook(secret).verify(BODY.replace("u-1", "u-2"), asReceived(headers)))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> new Webhook(WebhookSecrets.generate()).verify(BODY, asReceived(headers)))
                .isInstanceOf(WebhookVerificationException.class);
        Map<String, String> otherId = new HashMap<>(headers);
        otherId.put("webhook-id", "evt-2");
        assertThatThrownBy(() -> new Webhook(secret).verify(BODY, asReceived(otherId)))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void duringARotationEitherSecretVerifies() throws Exception {
        String previous = WebhookSecrets.generate();
        String current = WebhookSecrets.generate();
        long now = Instant.now().getEpochSecond();
        Map<String, String> headers = WebhookSigner.headers("evt-9", now, BODY, List.of(current, previous));
        assertThat(headers.get("webhook-signature").split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,"));
        new Webhook(current).verify(BODY, asReceived(headers));
        new Webhook(previous).verify(BODY, asReceived(headers));
        assertThatThrownBy(() -> new Webhook(WebhookSecrets.generate()).verify(BODY, asReceived(headers)))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void theSpecificationsExampleVector() {
        // the example of the Standard Webhooks specification (secret, id, timestamp, body → signature)
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        String body = "{\"test\": 2432232314}";
        assertThat(WebhookSigner.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L, body))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
