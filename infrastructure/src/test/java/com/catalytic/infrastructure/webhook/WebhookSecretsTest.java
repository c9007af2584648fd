package com.catalytic.infrastructure.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WebhookSecretsTest {

    final WebhookSecrets secrets = new WebhookSecrets(bytes(1));

    static byte[] bytes(int fill) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) fill);
        return k;
    }

    @Test
    void aSecretIsWhsecAndTheBase64OfAtLeast24Bytes() {
        String s = WebhookSecrets.generate();
        assertThat(s).matches("whsec_[A-Za-z0-9+/]+=*");
        assertThat(WebhookSecrets.keyBytes(s)).hasSizeGreaterThanOrEqualTo(24);
        assertThat(WebhookSecrets.generate()).isNotEqualTo(s);
    }

    @Test
    void aSealedSecretOpensForItsWebhookUnderItsKeyOnly() {
        String s = WebhookSecrets.generate();
        String sealed = secrets.encrypt("wh-1", s);
        assertThat(sealed).startsWith("v1.").doesNotContain(s.substring(6, 20));
        assertThat(secrets.encrypt("wh-1", s)).as("a fresh nonce each time").isNotEqualTo(sealed);
        assertThat(secrets.decrypt("wh-1", sealed)).isEqualTo(s);
        assertThatThrownBy(() -> secrets.decrypt("wh-2", sealed)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new WebhookSecrets(bytes(2)).decrypt("wh-1", sealed))
                .isInstanceOf(IllegalStateException.class);
        String tampered = sealed.substring(0, sealed.length() - 2) + (sealed.endsWith("AA") ? "BB" : "AA");
        assertThatThrownBy(() -> secrets.decrypt("wh-1", tampered)).isInstanceOf(IllegalStateException.class);
    }
}
