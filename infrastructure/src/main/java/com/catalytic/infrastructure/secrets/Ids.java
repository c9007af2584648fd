package com.catalytic.infrastructure.secrets;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/** The one source of identifiers and random secrets. */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The seed of the request running on this thread, with the number of ids drawn from it; null: random ids. */
    private static final ThreadLocal<Seed> SEED = new ThreadLocal<>();

    private static final class Seed {
        final String value;
        int drawn;

        Seed(String value) {
            this.value = value;
        }
    }

    private Ids() {
    }

    /**
     * A new id: random, or within {@link #seededBy} the next of the seed's ids (the same seed draws the same ids in
     * the same order, so a request repeated with its Idempotency-Key names what it creates as the first attempt
     * did, and cannot create it twice).
     */
    public static String newId() {
        Seed seed = SEED.get();
        if (seed == null) {
            return UUID.randomUUID().toString();
        }
        return UUID.nameUUIDFromBytes((seed.value + "#" + seed.drawn++).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Ids drawn on this thread until the scope is closed come from {@code seed}. */
    public static Scope seededBy(String seed) {
        Seed previous = SEED.get();
        SEED.set(new Seed(seed));
        return () -> {
            if (previous == null) {
                SEED.remove();
            } else {
                SEED.set(previous);
            }
        };
    }

    /** The extent of {@link #seededBy}. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
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
