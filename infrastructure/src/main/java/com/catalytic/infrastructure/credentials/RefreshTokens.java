package com.catalytic.infrastructure.credentials;

import com.catalytic.infrastructure.secrets.Hashing;
import com.catalytic.infrastructure.secrets.Ids;
import com.catalytic.infrastructure.secrets.InstallationSecrets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Refresh tokens: {@code <sessionId>.<nonce>.<tag>}, a random nonce and an HMAC of session and nonce under the
 * installation's key. Only the SHA-256 of {@code <nonce>.<tag>} is stored. The tag lets the session recognise any
 * token it issued earlier as reuse without remembering them all, while a guessed or garbled token (no valid tag)
 * is merely invalid and ends nothing. Tokens issued before tags existed are {@code <sessionId>.<secret>}.
 */
public class RefreshTokens {

    /** A presented token, split: the session it names, the hash to compare, and whether its tag is ours. */
    public record Presented(String sessionId, String secretHash, boolean issuedForSession) {
    }

    /** A new token and the hash the session stores. */
    public record Issued(String token, String secretHash) {
    }

    private static final int MAX_LENGTH = 200;

    private final byte[] key;

    /** The key comes from {@code SESSION_SECRET_KEY}, or the development key file beside the signing keys. */
    public RefreshTokens(String sessionSecret, Path keyDir) {
        this.key = InstallationSecrets.key("catalytic refresh-token tags v1", sessionSecret,
                keyDir.resolve("link.key"));
    }

    public Issued issue(String sessionId) {
        String nonce = Ids.secret(32);
        String secret = nonce + "." + tag(sessionId, nonce);
        return new Issued(sessionId + "." + secret, Hashing.sha256Hex(secret));
    }

    /** The token split up, or null when it does not have the shape of a refresh token. */
    public Presented parse(String token) {
        if (token == null || token.length() > MAX_LENGTH) {
            return null;
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot == token.length() - 1) {
            return null;
        }
        String sessionId = token.substring(0, dot);
        String secret = token.substring(dot + 1);
        int tagDot = secret.indexOf('.');
        boolean tagged = tagDot > 0 && MessageDigest.isEqual(
                tag(sessionId, secret.substring(0, tagDot)).getBytes(StandardCharsets.US_ASCII),
                secret.substring(tagDot + 1).getBytes(StandardCharsets.US_ASCII));
        return new Presented(sessionId, Hashing.sha256Hex(secret), tagged);
    }

    private String tag(String sessionId, String nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] out = mac.doFinal((sessionId + "\n" + nonce).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
