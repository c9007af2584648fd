package com.catalytic.infrastructure.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Bcrypt hashes as the original service stored them still verify. The hashes below were made by crypt(3)
 * (libxcrypt's bcrypt, the algorithm passlib's bcrypt scheme produces), not by the code under test.
 */
class LegacyAwarePasswordEncoderTest {

    private static final String PASSWORD = "Legacy-Passw0rd!";
    private static final String HASH = "$2b$12$UhmT86o3/JBjGqRByPycFO1S4PjtvvRaLOsOuG5AJCcKXJ2Q2cSxu";
    /** 114 bytes in UTF-8: bcrypt counts the first 72. */
    private static final String LONG_PASSWORD = "Ünïcode-and-long-".repeat(6);
    private static final String LONG_HASH = "$2b$04$Zfuj10UmJFNzDr5p0yqjDO.rdmA4pWTPW5l/sDcTaZCT.Vp6ZfpAm";

    private final LegacyAwarePasswordEncoder encoder =
            new LegacyAwarePasswordEncoder(Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8());

    @Test
    void bcryptHashesOfTheOriginalServiceVerify() {
        assertThat(encoder.matches(PASSWORD, HASH)).isTrue();
        assertThat(encoder.matches(PASSWORD + "x", HASH)).isFalse();
        assertThat(encoder.matches("legacy-Passw0rd!", HASH)).isFalse();
        assertThat(encoder.matches(null, HASH)).isFalse();
    }

    @Test
    void onlyTheFirst72BytesOfAPasswordCountAsInTheOriginal() {
        assertThat(encoder.matches(LONG_PASSWORD, LONG_HASH)).isTrue();
        assertThat(encoder.matches(LONG_PASSWORD + "anything after byte 72", LONG_HASH)).isTrue();
        assertThat(encoder.matches(LONG_PASSWORD.substring(0, 40), LONG_HASH)).isFalse();
    }

    @Test
    void newHashesAreArgon2idAndOnlyBcryptAsksForAnUpgrade() {
        String fresh = encoder.encode(PASSWORD);
        assertThat(fresh).startsWith("$argon2id$");
        assertThat(encoder.matches(PASSWORD, fresh)).isTrue();
        assertThat(encoder.matches(PASSWORD + "x", fresh)).isFalse();
        assertThat(encoder.upgradeEncoding(fresh)).isFalse();
        assertThat(encoder.upgradeEncoding(HASH)).isTrue();
        assertThat(LegacyAwarePasswordEncoder.isBcrypt(HASH)).isTrue();
        assertThat(LegacyAwarePasswordEncoder.isBcrypt(fresh)).isFalse();
        assertThat(LegacyAwarePasswordEncoder.isBcrypt("$2b$12$short")).isFalse();
        assertThat(LegacyAwarePasswordEncoder.isBcrypt(null)).isFalse();
    }
}
