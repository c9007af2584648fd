package com.catalytic.infrastructure.webhook;

import com.catalytic.infrastructure.credentials.AuthProperties;
import com.catalytic.infrastructure.secrets.AesGcm;
import com.catalytic.infrastructure.secrets.InstallationSecrets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Webhook signing secrets: {@code whsec_} and the Base64 of 32 random bytes (the Standard Webhooks form). Deliveries
 * must sign with them, so they cannot be hashed: they are stored encrypted (AES-256-GCM, a random nonce, the webhook
 * id as associated data so a ciphertext cannot be moved to another webhook) under a key derived from
 * {@code SESSION_SECRET_KEY} (or the development key), as the service's other keys are.
 */
@Component
public class WebhookSecrets {

    public static final String PREFIX = "whsec_";
    private static final String VERSION = "v1.";
    private static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    @Autowired
    public WebhookSecrets(@Value("${SESSION_SECRET_KEY:}") String sessionSecret, AuthProperties auth) {
        this(InstallationSecrets.key("catalytic webhook secrets v1", sessionSecret,
                Path.of(auth.keyDir()).resolve("link.key")));
    }

    WebhookSecrets(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /** A new secret, as the tenant receives it. */
    public static String generate() {
        byte[] b = new byte[SECRET_BYTES];
        RANDOM.nextBytes(b);
        return PREFIX + Base64.getEncoder().encodeToString(b);
    }

    /** The HMAC key a secret stands for: the Base64-decoded bytes after {@code whsec_}. */
    public static byte[] keyBytes(String secret) {
        String body = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
        return Base64.getDecoder().decode(body);
    }

    public String encrypt(String webhookId, String secret) {
        return VERSION + Base64.getUrlEncoder().withoutPadding().encodeToString(
                AesGcm.seal(key, webhookId, secret.getBytes(StandardCharsets.UTF_8)));
    }

    /** The secret; an {@link IllegalStateException} when it was sealed under another key or for another webhook. */
    public String decrypt(String webhookId, String encrypted) {
        if (encrypted == null || !encrypted.startsWith(VERSION)) {
            throw new IllegalStateException("not an encrypted webhook secret");
        }
        try {
            byte[] sealed = Base64.getUrlDecoder().decode(encrypted.substring(VERSION.length()));
            return new String(AesGcm.open(key, webhookId, sealed), StandardCharsets.UTF_8);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot decrypt the secret of webhook " + webhookId
                    + " (was SESSION_SECRET_KEY changed?)", e);
        }
    }
}
