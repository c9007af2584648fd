package com.catalytic.command.user;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.infrastructure.credentials.AuthProperties;
import com.catalytic.infrastructure.secrets.Hashing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Derived one-time link secrets: the same on every node with the same key, verifiable against the stored hash. */
class LinkSecretsTest {

    @TempDir
    Path dir;

    private AuthProperties keysIn(Path keyDir) {
        return new AuthProperties(null, null, keyDir.toString(), null, null, null, null, 0, 0, 0, null, 0, null, null, null, 0, 0, null, 0, null);
    }

    @Test
    void nodesSharingTheSessionSecretDeriveTheSameLinks() {
        String session = "0123456789abcdef0123456789abcdef-session";
        LinkSecrets a = new LinkSecrets(session, keysIn(dir.resolve("a")));
        LinkSecrets b = new LinkSecrets(session, keysIn(dir.resolve("b")));
        Instant expires = Instant.parse("2026-12-01T10:00:00.123Z");
        String secret = a.secret(LinkSecrets.INVITATION, "user-1", expires);
        assertThat(b.secret(LinkSecrets.INVITATION, "user-1", expires)).isEqualTo(secret);
        assertThat(secret).hasSize(43).doesNotContain(session);
        // purpose, user and expiry each change the secret
        assertThat(a.secret(LinkSecrets.PASSWORD_RESET, "user-1", expires)).isNotEqualTo(secret);
        assertThat(a.secret(LinkSecrets.INVITATION, "user-2", expires)).isNotEqualTo(secret);
        assertThat(a.secret(LinkSecrets.INVITATION, "user-1", expires.plusMillis(1))).isNotEqualTo(secret);
        // the handler rebuilds it from what the event stores; sub-millisecond digits do not matter
        assertThat(b.rebuild(LinkSecrets.INVITATION, "user-1", expires.plusNanos(400), Hashing.sha256Hex(secret)))
                .contains(secret);
        // another key (a changed SESSION_SECRET_KEY) cannot produce it
        LinkSecrets other = new LinkSecrets("another-secret-of-at-least-32-characters", keysIn(dir));
        assertThat(other.rebuild(LinkSecrets.INVITATION, "user-1", expires, Hashing.sha256Hex(secret))).isEmpty();
    }

    @Test
    void withoutASessionSecretADevelopmentKeyIsMadeOnceAndKept() throws Exception {
        Instant expires = Instant.parse("2026-12-01T10:00:00Z");
        String first = new LinkSecrets("", keysIn(dir)).secret(LinkSecrets.PASSWORD_RESET, "u", expires);
        assertThat(Files.exists(dir.resolve("link.key"))).isTrue();
        assertThat(new LinkSecrets(null, keysIn(dir)).secret(LinkSecrets.PASSWORD_RESET, "u", expires))
                .isEqualTo(first);
        // a short session secret is not a key: the development key stays in use
        assertThat(new LinkSecrets("short", keysIn(dir)).secret(LinkSecrets.PASSWORD_RESET, "u", expires))
                .isEqualTo(first);
    }
}
