package com.catalytic.infrastructure.secrets;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/** The one source of identifiers and random secrets. */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    /** {@code bytes} of randomness, URL-safe Base64 without padding. */
    public static String secret(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** A short lower-case suffix (base 36) for disambiguating human-readable names. */
    public static String shortSuffix(int length) {
        String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
