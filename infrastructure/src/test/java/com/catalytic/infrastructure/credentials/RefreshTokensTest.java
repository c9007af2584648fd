package com.catalytic.infrastructure.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.infrastructure.secrets.Hashing;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Refresh tokens carry a tag that binds them to their session; only the service can make one. */
class RefreshTokensTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-session";

    @TempDir
    Path dir;

    @Test
    void anIssuedTokenIsRecognisedAsTheSessions() {
        RefreshTokens tokens = new RefreshTokens(SECRET, dir);
        RefreshTokens.Issued issued = tokens.issue("session-1");
        assertThat(issued.token()).startsWith("session-1.").hasSizeLessThanOrEqualTo(200);
        RefreshTokens.Presented presented = tokens.parse(issued.token());
        assertThat(presented.sessionId()).isEqualTo("session-1");
        assertThat(presented.secretHash()).isEqualTo(issued.secretHash());
        assertThat(presented.issuedForSession()).isTrue();
        // another node with the same SESSION_SECRET_KEY recognises it too
        assertThat(new RefreshTokens(SECRET, dir.resolve("other")).parse(issued.token()).issuedForSession()).isTrue();
    }

    @Test
    void aTokenMovedToAnotherSessionOrAlteredIsNotTheSessions() {
        RefreshTokens tokens = new RefreshTokens(SECRET, dir);
        String token = tokens.issue("session-1").token();
        String secret = token.substring(token.indexOf('.') + 1);
        assertThat(tokens.parse("session-2." + secret).issuedForSession()).isFalse();
        String nonce = secret.substring(0, secret.indexOf('.'));
        String tag = secret.substring(secret.indexOf('.') + 1);
        assertThat(tokens.parse("session-1." + nonce + "x." + tag).issuedForSession()).isFalse();
        assertThat(tokens.parse("session-1." + nonce + "." + tag.substring(1)).issuedForSession()).isFalse();
        // a different key (SESSION_SECRET_KEY changed) no longer recognises it, but the hash is unchanged
        RefreshTokens.Presented elsewhere = new RefreshTokens("another-secret-of-at-least-32-characters", dir)
                .parse(token);
        assertThat(elsewhere.issuedForSession()).isFalse();
        assertThat(elsewhere.secretHash()).isEqualTo(Hashing.sha256Hex(secret));
    }

    @Test
    void untaggedTokensOfEarlierVersionsStillParse() {
        RefreshTokens.Presented legacy = new RefreshTokens(SECRET, dir).parse("session-1.c2VjcmV0");
        assertThat(legacy.sessionId()).isEqualTo("session-1");
        assertThat(legacy.secretHash()).isEqualTo(Hashing.sha256Hex("c2VjcmV0"));
        assertThat(legacy.issuedForSession()).isFalse();
    }

    @Test
    void malformedTokensAreNotTokens() {
        RefreshTokens tokens = new RefreshTokens(SECRET, dir);
        assertThat(tokens.parse(null)).isNull();
        assertThat(tokens.parse("no-dot")).isNull();
        assertThat(tokens.parse(".secret")).isNull();
        assertThat(tokens.parse("session.")).isNull();
        assertThat(tokens.parse("s." + "x".repeat(300))).isNull();
    }

    @Test
    void withoutASessionSecretTheDevelopmentKeyIsShared() {
        String token = new RefreshTokens("", dir).issue("session-1").token();
        assertThat(new RefreshTokens(null, dir).parse(token).issuedForSession()).isTrue();
    }
}
