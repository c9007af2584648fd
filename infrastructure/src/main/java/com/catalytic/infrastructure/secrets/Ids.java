package com.catalytic.infrastructure.secrets;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

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

    /**
     * A new id that sorts by creation time: a version 7 UUID (48 bits of Unix milliseconds, then 74 random bits from
     * the thread's own generator), for rows written in great numbers (usage records, request ids), so that
     * consecutive ids land on the same pages of a B-tree index instead of on random ones, and drawing one takes no
     * lock. Not a secret, and never drawn from a seed: not for an id that must be unguessable or repeatable.
     */
    public static String timeOrderedId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (System.currentTimeMillis() << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
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
