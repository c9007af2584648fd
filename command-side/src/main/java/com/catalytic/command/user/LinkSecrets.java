package com.catalytic.command.user;

import com.catalytic.infrastructure.credentials.AuthProperties;
import com.catalytic.infrastructure.secrets.Hashing;
import com.catalytic.infrastructure.secrets.InstallationSecrets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The secrets of e-mailed one-time links (invitations, password resets), derived instead of kept: HMAC-SHA256 of
 * the purpose, the user and the link's expiry under the installation's link key. The user's events store only the
 * SHA-256 of the secret, as before, so the event store alone reveals no link; with the key, the event handler that
 * e-mails the link rebuilds it after the event is stored. The key is derived from {@code SESSION_SECRET_KEY} when it
 * is set (production requires it, and every node has the same), otherwise it is generated once as
 * {@code link.key} in the key directory (development). Changing it invalidates the links not used yet.
 */
@Component
public class LinkSecrets {

    public static final String INVITATION = "invitation";
    public static final String PASSWORD_RESET = "password_reset";

    private final byte[] key;

    public LinkSecrets(@Value("${SESSION_SECRET_KEY:}") String sessionSecret, AuthProperties auth) {
        this.key = sessionSecret != null && sessionSecret.trim().length() >= 32
                ? sha256(("catalytic one-time links v1\n" + sessionSecret.trim()).getBytes(StandardCharsets.UTF_8))
                : developmentKey(Path.of(auth.keyDir()).resolve("link.key"));
    }

    /** The secret of the link for this purpose, user and expiry (milliseconds count). */
    public String secret(String purpose, String userId, Instant expiresAt) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] out = mac.doFinal((purpose + "\n" + userId + "\n" + expiresAt.toEpochMilli())
                    .getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The token a link carries: {@code <userId>.<secret>}. */
    public static String token(String userId, String secret) {
        return OneTimeLink.token(userId, secret);
    }

    /** The secret again, when it is the one whose hash was stored (not when the key changed since). */
    public Optional<String> rebuild(String purpose, String userId, Instant expiresAt, String storedHash) {
        String secret = secret(purpose, userId, expiresAt);
        return MessageDigest.isEqual(Hashing.sha256Hex(secret).getBytes(StandardCharsets.US_ASCII),
                String.valueOf(storedHash).getBytes(StandardCharsets.US_ASCII)) ? Optional.of(secret) : Optional.empty();
    }

    private static byte[] developmentKey(Path file) {
        return sha256(InstallationSecrets.developmentSecret(file).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
