package com.catalytic.infrastructure.personal;

import com.catalytic.api.personal.PersonalData;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * {@link PersonalData} with one AES-256 key per data subject in {@code subject_keys}, each stored wrapped (AES-GCM)
 * by the database encryption key, which never enters the database. Values are sealed with AES-GCM, the subject id
 * as associated data, so a sealed value cannot be passed off as another subject's. Erasing a subject leaves a
 * tombstone (no key, {@code erased_at}): nothing is sealed for it again.
 */
final class SubjectKeys implements PersonalData {

    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    /** A subject's key as this node last read it; null key: erased, or none yet. */
    private record Cached(SecretKey key, long until) {
    }

    private final JdbcTemplate jdbc;
    private final SecretKey wrapping;
    private final String wrappingId;
    private final Clock clock;
    private final long ttlNanos;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /**
     * @param wrappingKey the database encryption key (32 bytes)
     * @param cacheTtl    how long a node keeps a key it read; another node's erasure takes effect here after it
     */
    SubjectKeys(JdbcTemplate jdbc, byte[] wrappingKey, Clock clock, Duration cacheTtl) {
        if (wrappingKey.length != 32) {
            throw new IllegalArgumentException("the database encryption key must be 32 bytes, not " + wrappingKey.length);
        }
        this.jdbc = jdbc;
        this.wrapping = new SecretKeySpec(wrappingKey, "AES");
        this.wrappingId = keyId(wrappingKey);
        this.clock = clock;
        this.ttlNanos = cacheTtl.toNanos();
    }

    /** A short public name of a wrapping key (not the key): stored beside each wrapped key to tell keys apart. */
    static String keyId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String seal(String subjectId, String value) {
        if (value == null) {
            return null;
        }
        if (subjectId == null || subjectId.isBlank() || subjectId.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a data subject id is required and holds no ':'");
        }
        SecretKey key = keyFor(subjectId, true);
        if (key == null) {
            return ERASED;
        }
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        byte[] sealed = crypt(Cipher.ENCRYPT_MODE, key, nonce, subjectId, value.getBytes(StandardCharsets.UTF_8));
        byte[] out = Arrays.copyOf(nonce, NONCE + sealed.length);
        System.arraycopy(sealed, 0, out, NONCE, sealed.length);
        return PREFIX + subjectId + ":" + B64.encodeToString(out);
    }

    @Override
    public String open(String value) {
        String subjectId = PersonalData.subjectOf(value);
        if (subjectId == null) {
            return value;
        }
        SecretKey key = keyFor(subjectId, false);
        if (key == null) {
            return ERASED;
        }
        byte[] in = B64D.decode(value.substring(PREFIX.length() + subjectId.length() + 1));
        byte[] plain = crypt(Cipher.DECRYPT_MODE, key, Arrays.copyOf(in, NONCE), subjectId,
                Arrays.copyOfRange(in, NONCE, in.length));
        return new String(plain, StandardCharsets.UTF_8);
    }

    /** Runs in the caller's transaction: the key is gone exactly when the erasure is stored. */
    @Override
    public void erase(String subjectId) {
        Timestamp now = Timestamp.from(clock.instant());
        if (jdbc.update("UPDATE subject_keys SET wrapped_key = NULL, erased_at = ? WHERE subject_id = ?", now,
                subjectId) == 0) {
            jdbc.update("INSERT INTO subject_keys (subject_id, wrapped_key, wrapping_key_id, created_at, erased_at) "
                    + "VALUES (?, NULL, NULL, ?, ?)", subjectId, now, now);
        }
        cache.remove(subjectId);
        // a read on another thread before the commit may have cached the key again
        afterCommit(() -> cache.remove(subjectId));
    }

    private SecretKey keyFor(String subjectId, boolean create) {
        Cached cached = cache.get(subjectId);
        if (cached != null && cached.until() - System.nanoTime() > 0 && (cached.key() != null || !create)) {
            return cached.key();
        }
        SecretKey read = read(subjectId);
        SecretKey key = read == null && create && !isErased(subjectId) ? create(subjectId) : read;
        // kept once what was read is stored for good: a command that rolls back takes a key it made with it
        afterCommit(() -> cache.put(subjectId, new Cached(key, System.nanoTime() + ttlNanos)));
        return key;
    }

    /** Runs {@code action} once the caller's transaction commits, or now when there is none. */
    private static void afterCommit(Runnable action) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            action.run();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                action.run();
            }
        });
    }

    private SecretKey read(String subjectId) {
        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT wrapped_key, wrapping_key_id FROM subject_keys WHERE subject_id = ?", subjectId);
        if (rows.isEmpty() || rows.get(0).get("wrapped_key") == null) {
            return null;
        }
        Object keyId = rows.get(0).get("wrapping_key_id");
        if (!wrappingId.equals(keyId)) {
            throw new IllegalStateException("the key of data subject " + subjectId + " was wrapped by database "
                    + "encryption key " + keyId + ", this node has " + wrappingId
                    + ": every node needs the same db_encryption key file");
        }
        byte[] wrapped = (byte[]) rows.get(0).get("wrapped_key");
        byte[] raw = crypt(Cipher.DECRYPT_MODE, wrapping, Arrays.copyOf(wrapped, NONCE), subjectId,
                Arrays.copyOfRange(wrapped, NONCE, wrapped.length));
        return new SecretKeySpec(raw, "AES");
    }

    private boolean isErased(String subjectId) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM subject_keys WHERE subject_id = ? AND erased_at IS NOT NULL",
                Integer.class, subjectId);
        return n != null && n > 0;
    }

    /**
     * Made in the caller's transaction (with the events that use it; never on a second connection, which a full
     * pool would not give), or on its own when there is none. Two first uses at once: the second reads the first's.
     */
    private SecretKey create(String subjectId) {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        byte[] wrapped = crypt(Cipher.ENCRYPT_MODE, wrapping, nonce, subjectId, raw);
        byte[] stored = Arrays.copyOf(nonce, NONCE + wrapped.length);
        System.arraycopy(wrapped, 0, stored, NONCE, wrapped.length);
        try {
            jdbc.update("INSERT INTO subject_keys (subject_id, wrapped_key, wrapping_key_id, created_at, erased_at) "
                    + "VALUES (?, ?, ?, ?, NULL)", subjectId, stored, wrappingId, Timestamp.from(clock.instant()));
            return new SecretKeySpec(raw, "AES");
        } catch (DuplicateKeyException raced) {
            SecretKey theirs = read(subjectId);
            if (theirs == null) {
                throw new IllegalStateException("data subject " + subjectId + " was erased meanwhile", raced);
            }
            return theirs;
        }
    }

    /** A stored (wrapped) subject key wrapped again, by another database encryption key. */
    static byte[] rewrap(String subjectId, byte[] stored, byte[] fromKey, byte[] toKey) {
        byte[] raw = crypt(Cipher.DECRYPT_MODE, new SecretKeySpec(fromKey, "AES"), Arrays.copyOf(stored, NONCE),
                subjectId, Arrays.copyOfRange(stored, NONCE, stored.length));
        byte[] nonce = new byte[NONCE];
        new SecureRandom().nextBytes(nonce);
        byte[] wrapped = crypt(Cipher.ENCRYPT_MODE, new SecretKeySpec(toKey, "AES"), nonce, subjectId, raw);
        byte[] out = Arrays.copyOf(nonce, NONCE + wrapped.length);
        System.arraycopy(wrapped, 0, out, NONCE, wrapped.length);
        return out;
    }

    private static byte[] crypt(int mode, SecretKey key, byte[] nonce, String subjectId, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(subjectId.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("personal data of subject " + subjectId + " does not open with its key", e);
        }
    }
}
