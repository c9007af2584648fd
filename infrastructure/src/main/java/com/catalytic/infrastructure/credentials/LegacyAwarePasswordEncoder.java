package com.catalytic.infrastructure.credentials;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Every new hash is the current encoder's (Argon2id). Bcrypt hashes ({@code $2a$}, {@code $2b$}, {@code $2y$}), as
 * the original service stored them and {@code catalytic import legacy} carries them over, still verify, with the
 * original's rule that only the first 72 bytes of a password count; they report that they need an upgrade, so the
 * first successful login replaces them with an Argon2id hash.
 */
public final class LegacyAwarePasswordEncoder implements PasswordEncoder {

    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");
    private static final int BCRYPT_MAX_BYTES = 72;

    private final PasswordEncoder current;

    public LegacyAwarePasswordEncoder(PasswordEncoder current) {
        this.current = current;
    }

    /** True for a well-formed bcrypt hash. */
    public static boolean isBcrypt(String encoded) {
        return encoded != null && BCRYPT.matcher(encoded).matches();
    }

    @Override
    public String encode(CharSequence rawPassword) {
        return current.encode(rawPassword);
    }

    @Override
    public boolean matches(CharSequence rawPassword, String encoded) {
        if (!isBcrypt(encoded)) {
            return current.matches(rawPassword, encoded);
        }
        if (rawPassword == null) {
            return false;
        }
        byte[] bytes = rawPassword.toString().getBytes(StandardCharsets.UTF_8);
        byte[] counted = bytes.length > BCRYPT_MAX_BYTES ? Arrays.copyOf(bytes, BCRYPT_MAX_BYTES) : bytes;
        try {
            return OpenBSDBCrypt.checkPassword(encoded, counted);
        } finally {
            Arrays.fill(bytes, (byte) 0);
            Arrays.fill(counted, (byte) 0);
        }
    }

    @Override
    public boolean upgradeEncoding(String encoded) {
        return isBcrypt(encoded) || current.upgradeEncoding(encoded);
    }
}
