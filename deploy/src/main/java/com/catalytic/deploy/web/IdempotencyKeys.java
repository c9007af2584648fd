package com.catalytic.deploy.web;

import com.catalytic.infrastructure.credentials.AuthProperties;
import com.catalytic.infrastructure.personal.PersonalDataCopies;
import com.catalytic.infrastructure.secrets.AesGcm;
import com.catalytic.infrastructure.secrets.InstallationSecrets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The answers kept for idempotency keys, in the database so that every node sees them (IdempotencyFilter). A key
 * is claimed by inserting its row before the request runs: of concurrent requests with one key, on any nodes,
 * exactly one inserts it and runs. An answer may hold a secret shown once (a new API key, a webhook's signing
 * secret): it is stored sealed (AES-GCM, the row's tenant, caller and key as associated data) under a key derived
 * from {@code SESSION_SECRET_KEY}, as the webhook secrets are.
 */
@Component
class IdempotencyKeys implements PersonalDataCopies {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyKeys.class);

    /** A stored key: {@code status} null while its first request runs. */
    record Stored(String fingerprint, Integer status, String contentType, byte[] body, Instant createdAt,
                  Instant lockedUntil) {
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Duration retention;
    private final Duration lock;
    private final SecretKey answers;

    IdempotencyKeys(JdbcTemplate jdbc, Clock clock,
                    @Value("${catalytic.idempotency.retention:24h}") Duration retention,
                    @Value("${catalytic.idempotency.lock:60s}") Duration lock,
                    @Value("${SESSION_SECRET_KEY:}") String sessionSecret, AuthProperties auth) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.retention = retention;
        this.lock = lock;
        this.answers = new SecretKeySpec(InstallationSecrets.key("catalytic idempotency answers v1", sessionSecret,
                Path.of(auth.keyDir()).resolve("link.key")), "AES");
    }

    /** Claims the key for a request about to run; false when a row for it exists (read it with {@link #find}). */
    boolean claim(String tenantId, String principal, String key, String fingerprint) {
        Instant now = clock.instant();
        return jdbc.update("INSERT INTO idempotency_keys (tenant_id, principal, idem_key, fingerprint, created_at, "
                        + "locked_until) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", tenantId, principal, key,
                fingerprint, Timestamp.from(now), Timestamp.from(now.plus(lock))) == 1;
    }

    /** The key's row, its answer opened; null when there is none, or its answer does not open any more. */
    Stored find(String tenantId, String principal, String key) {
        List<Stored> rows = jdbc.query("SELECT fingerprint, status, content_type, body, created_at, locked_until "
                        + "FROM idempotency_keys WHERE tenant_id = ? AND principal = ? AND idem_key = ?",
                (rs, i) -> new Stored(rs.getString(1), (Integer) rs.getObject(2), rs.getString(3), rs.getBytes(4),
                        rs.getTimestamp(5).toInstant(), rs.getTimestamp(6).toInstant()), tenantId, principal, key);
        if (rows.isEmpty()) {
            return null;
        }
        Stored row = rows.get(0);
        if (row.body() == null) {
            return row;
        }
        try {
            return new Stored(row.fingerprint(), row.status(), row.contentType(),
                    AesGcm.open(answers, place(tenantId, principal, key), row.body()), row.createdAt(),
                    row.lockedUntil());
        } catch (IllegalStateException unreadable) {
            // sealed under another SESSION_SECRET_KEY: the request runs again, and its ids follow from the key, so
            // what it created is not created twice
            log.warn("An idempotency answer of tenant {} does not open with this SESSION_SECRET_KEY: dropped",
                    tenantId);
            jdbc.update("DELETE FROM idempotency_keys WHERE tenant_id = ? AND principal = ? AND idem_key = ? "
                    + "AND status IS NOT NULL", tenantId, principal, key);
            return null;
        }
    }

    /** The associated data of a row's sealed answer: the answer opens only in its own row. */
    private static String place(String tenantId, String principal, String key) {
        return tenantId + "\n" + principal + "\n" + key;
    }

    /** Whether a stored row no longer counts: past its retention, or its first request's lock ran out unanswered. */
    boolean lapsed(Stored s) {
        Instant now = clock.instant();
        return s.createdAt().plus(retention).isBefore(now) || (s.status() == null && s.lockedUntil().isBefore(now));
    }

    /** Removes the key's row if it has lapsed (checked by the database, so a fresh concurrent claim stays). */
    void releaseIfLapsed(String tenantId, String principal, String key) {
        Instant now = clock.instant();
        jdbc.update("DELETE FROM idempotency_keys WHERE tenant_id = ? AND principal = ? AND idem_key = ? "
                        + "AND (created_at < ? OR (status IS NULL AND locked_until < ?))", tenantId, principal, key,
                Timestamp.from(now.minus(retention)), Timestamp.from(now));
    }

    /** Forgets the claim of a request that failed on the server's side, so that a retry runs it again. */
    void forget(String tenantId, String principal, String key) {
        jdbc.update("DELETE FROM idempotency_keys WHERE tenant_id = ? AND principal = ? AND idem_key = ? "
                + "AND status IS NULL", tenantId, principal, key);
    }

    void answer(String tenantId, String principal, String key, int status, String contentType, byte[] body) {
        jdbc.update("UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? WHERE tenant_id = ? "
                        + "AND principal = ? AND idem_key = ?", status, contentType,
                AesGcm.seal(answers, place(tenantId, principal, key), body), tenantId, principal, key);
    }

    @Scheduled(fixedDelayString = "${catalytic.idempotency.cleanup-interval:1h}", initialDelayString = "5m")
    void removeExpired() {
        int removed = jdbc.update("DELETE FROM idempotency_keys WHERE created_at < ?",
                Timestamp.from(clock.instant().minus(retention)));
        if (removed > 0) {
            log.info("Removed {} idempotency keys older than {}", removed, retention);
        }
    }

    /** Replayed answers that show the erased address are dropped (a retry then runs again, or is refused). */
    @Override
    public void eraseSubject(String tenantId, String subjectId, String address) {
        byte[] needle = address.getBytes(StandardCharsets.UTF_8);
        List<Object[]> holding = new ArrayList<>();
        jdbc.query("SELECT principal, idem_key, body FROM idempotency_keys WHERE tenant_id = ? AND body IS NOT NULL",
                rs -> {
                    String principal = rs.getString("principal");
                    String key = rs.getString("idem_key");
                    if (showsOrUnreadable(rs.getBytes("body"), place(tenantId, principal, key), needle)) {
                        holding.add(new Object[] {tenantId, principal, key});
                    }
                }, tenantId);
        jdbc.batchUpdate("DELETE FROM idempotency_keys WHERE tenant_id = ? AND principal = ? AND idem_key = ?", holding);
    }

    private boolean showsOrUnreadable(byte[] sealed, String place, byte[] needle) {
        try {
            return contains(AesGcm.open(answers, place, sealed), needle);
        } catch (IllegalStateException unreadable) {
            return true; // nobody can replay it any more, and it might show the address
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
