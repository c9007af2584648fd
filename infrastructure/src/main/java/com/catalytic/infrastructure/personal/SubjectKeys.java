package com.catalytic.infrastructure.personal;

import com.catalytic.api.personal.PersonalData;
import com.catalytic.infrastructure.secrets.AesGcm;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.crypto.SecretKey;
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

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A subject's key as this node last read it; null key: erased, or none yet. */
    private record Cached(SecretKey key, long until) {
    }

    private final JdbcTemplate jdbc;
    private final SecretKey wrapping;
    private final String wrappingId;
    private final Clock clock;
    private final long ttlNanos;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    /** Subjects whose key a transaction has made and not yet committed: not cached from reads meanwhile. */
    private final Set<String> uncommitted = ConcurrentHashMap.newKeySet();

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

    /**
     * Refuses a database encryption key other than the one the stored keys were wrapped by, naming both: a node
     * started with another key file would fail every request that touches personal data.
     */
    void requireSameWrappingKey(String keyFile) {
        List<String> others = jdbc.queryForList("SELECT wrapping_key_id FROM subject_keys WHERE wrapping_key_id IS NOT "
                + "NULL AND wrapping_key_id <> ? LIMIT 1", String.class, wrappingId);
        if (!others.isEmpty()) {
            throw new IllegalStateException("the database encryption key " + keyFile + " (" + wrappingId + ") is not "
                    + "the one that wrapped the users' keys in this database (" + others.get(0) + "): give every node "
                    + "the same db_encryption key file (DB_ENCRYPTION_KEY_PATH)");
        }
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
        return PREFIX + subjectId + ":" + B64.encodeToString(encrypt(key, subjectId,
                value.getBytes(StandardCharsets.UTF_8)));
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
        byte[] sealed = B64D.decode(value.substring(PREFIX.length() + subjectId.length() + 1));
        return new String(decrypt(key, subjectId, sealed), StandardCharsets.UTF_8);
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
        afterCompletion(committed -> cache.remove(subjectId));
    }

    private SecretKey keyFor(String subjectId, boolean create) {
        Cached cached = cache.get(subjectId);
        if (cached != null && cached.until() - System.nanoTime() > 0 && (cached.key() != null || !create)) {
            return cached.key();
        }
        SecretKey read = read(subjectId);
        if (read == null && create && !isErased(subjectId)) {
            SecretKey made = create(subjectId);
            // kept once stored for good: a command that rolls back takes the key it made with it
            uncommitted.add(subjectId);
            afterCompletion(committed -> {
                uncommitted.remove(subjectId);
                if (committed) {
                    cache.put(subjectId, new Cached(made, System.nanoTime() + ttlNanos));
                }
            });
            return made;
        }
        if (!uncommitted.contains(subjectId)) {
            cache.put(subjectId, new Cached(read, System.nanoTime() + ttlNanos));
        }
        return read;
    }

    /** Runs {@code action} (told whether it committed) once the caller's transaction ends; now when there is none. */
    private static void afterCompletion(Consumer<Boolean> action) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            action.accept(true);
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                action.accept(status == STATUS_COMMITTED);
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
        return new SecretKeySpec(decrypt(wrapping, subjectId, (byte[]) rows.get(0).get("wrapped_key")), "AES");
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
        RANDOM.nextBytes(raw);
        byte[] stored = encrypt(wrapping, subjectId, raw);
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
        byte[] raw = decrypt(new SecretKeySpec(fromKey, "AES"), subjectId, stored);
        return encrypt(new SecretKeySpec(toKey, "AES"), subjectId, raw);
    }

    /** AES-GCM under {@code key}, the subject id as associated data. */
    private static byte[] encrypt(SecretKey key, String subjectId, byte[] plain) {
        return AesGcm.seal(key, subjectId, plain);
    }

    private static byte[] decrypt(SecretKey key, String subjectId, byte[] stored) {
        try {
            return AesGcm.open(key, subjectId, stored);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("personal data of subject " + subjectId + " does not open with its key", e);
        }
    }
}
