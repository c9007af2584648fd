package com.catalytic.infrastructure.credentials;

import com.catalytic.infrastructure.secrets.Hashing;
import java.security.SecureRandom;

/**
 * The key format: {@code clc_live_} and 32 characters of an alphabet without look-alikes (0/O, 1/l/I), about 186
 * bits of randomness. Keys are stored only as their SHA-256 hash; the first 13 characters are shown for recognition.
 */
public final class ApiKeys {

    public static final String PREFIX = "clc_live_";
    private static final String ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static final int BODY = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {
    }

    public static String generate() {
        StringBuilder sb = new StringBuilder(PREFIX.length() + BODY).append(PREFIX);
        for (int i = 0; i < BODY; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    /** Cheap shape check before any lookup. */
    public static boolean looksValid(String key) {
        if (key == null || key.length() != PREFIX.length() + BODY || !key.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < key.length(); i++) {
            if (ALPHABET.indexOf(key.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * A key of the original service, imported with its SHA-256 ({@code catalytic import legacy}): 16 to 128
     * characters of letters, digits, {@code _ - .}, not in this service's own format. Only the shape is checked
     * here; the hash lookup decides.
     */
    public static boolean looksImported(String key) {
        if (key == null || key.length() < 16 || key.length() > 128 || key.startsWith(PREFIX)) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-' || c == '.';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    public static String hash(String key) {
        return Hashing.sha256Hex(key);
    }

    public static String displayPrefix(String key) {
        return key.substring(0, PREFIX.length() + 4);
    }
}
