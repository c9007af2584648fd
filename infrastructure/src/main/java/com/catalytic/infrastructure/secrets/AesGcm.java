package com.catalytic.infrastructure.secrets;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-GCM as the service seals stored values with it: a fresh 12-byte nonce, then the ciphertext and a 128-bit tag.
 * The associated data names the value's place (a subject, a row), so a sealed value moved elsewhere does not open.
 */
public final class AesGcm {

    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private AesGcm() {
    }

    public static byte[] seal(SecretKey key, String associated, byte[] plain) {
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        byte[] sealed = crypt(Cipher.ENCRYPT_MODE, key, nonce, associated, plain);
        byte[] out = Arrays.copyOf(nonce, NONCE + sealed.length);
        System.arraycopy(sealed, 0, out, NONCE, sealed.length);
        return out;
    }

    /** The plain value; an {@link IllegalStateException} when it was sealed under another key, place or altered. */
    public static byte[] open(SecretKey key, String associated, byte[] sealed) {
        if (sealed.length < NONCE) {
            throw new IllegalStateException("not a sealed value");
        }
        return crypt(Cipher.DECRYPT_MODE, key, Arrays.copyOf(sealed, NONCE), associated,
                Arrays.copyOfRange(sealed, NONCE, sealed.length));
    }

    private static byte[] crypt(int mode, SecretKey key, byte[] nonce, String associated, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associated.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a sealed value does not open with this key", e);
        }
    }
}
