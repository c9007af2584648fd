package com.catalytic.infrastructure.personal;

import com.catalytic.api.personal.PersonalData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The database encryption key that wraps every data subject's key: {@code DB_ENCRYPTION_KEY_PATH} when set; else,
 * beside a configured JWT private key, the {@code db_encryption_<APP_ENV>.key} that {@code keys generate} wrote
 * there; else (development) {@code db_encryption_dev.key} in the key directory, made on first start.
 */
@Configuration
public class PersonalDataConfiguration {

    private static final Logger log = LoggerFactory.getLogger(PersonalDataConfiguration.class);

    @Bean
    PersonalData personalData(JdbcTemplate jdbc, Clock clock,
                              @Value("${catalytic.personal-data.key-path:}") String keyPath,
                              @Value("${catalytic.auth.private-key-path:}") String jwtPrivateKeyPath,
                              @Value("${APP_ENV:}") String appEnv,
                              @Value("${catalytic.auth.key-dir:${CATALYTIC_DATA_DIR:./data}/keys}") String keyDir,
                              @Value("${catalytic.personal-data.key-cache-ttl:30s}") Duration cacheTtl) {
        Path file = keyFile(keyPath, jwtPrivateKeyPath, appEnv, keyDir);
        SubjectKeys keys = new SubjectKeys(jdbc, readKey(file), clock, cacheTtl);
        keys.requireSameWrappingKey(file.toString());
        return keys;
    }

    /** Where the database encryption key is read from, by the rule above. */
    public static Path keyFile(String keyPath, String jwtPrivateKeyPath, String appEnv, String keyDir) {
        if (keyPath != null && !keyPath.isBlank()) {
            return Path.of(keyPath.trim());
        }
        if (jwtPrivateKeyPath != null && !jwtPrivateKeyPath.isBlank()) {
            String env = appEnv == null || appEnv.isBlank() ? "production" : appEnv.trim().toLowerCase();
            Path dir = Path.of(jwtPrivateKeyPath.trim()).toAbsolutePath().getParent();
            return dir.resolve("db_encryption_" + env + ".key");
        }
        Path dev = Path.of(keyDir).resolve("db_encryption_dev.key");
        if (!Files.exists(dev)) {
            writeNew(dev);
            log.info("DB_ENCRYPTION_KEY_PATH is not set: using the development key {}", dev.toAbsolutePath().normalize());
        }
        return dev;
    }

    /** The 32-byte key of a file as {@code keys generate} writes it (Base64), with a message naming what is wrong. */
    public static byte[] readKey(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new IllegalStateException("the database encryption key " + file + " cannot be read (" + e
                    + "): write it with 'catalytic keys generate <env>' or set DB_ENCRYPTION_KEY_PATH", e);
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the database encryption key " + file + " is not Base64", e);
        }
        if (key.length != 32) {
            throw new IllegalStateException("the database encryption key " + file + " holds " + key.length
                    + " bytes, not 32");
        }
        return key;
    }

    /**
     * Moves the subject keys of {@code subject_keys} (on {@code jdbc}) from one database encryption key to another,
     * as a copy to an installation with its own key needs; returns how many were wrapped again.
     */
    public static int rewrapAll(JdbcTemplate jdbc, byte[] fromKey, byte[] toKey) {
        String toId = SubjectKeys.keyId(toKey);
        List<Object[]> updates = new ArrayList<>();
        jdbc.query("SELECT subject_id, wrapped_key FROM subject_keys WHERE wrapped_key IS NOT NULL", rs -> {
            String subject = rs.getString(1);
            updates.add(new Object[] {SubjectKeys.rewrap(subject, rs.getBytes(2), fromKey, toKey), toId, subject});
        });
        jdbc.batchUpdate("UPDATE subject_keys SET wrapped_key = ?, wrapping_key_id = ? WHERE subject_id = ?", updates);
        return updates.size();
    }

    private static void writeNew(Path file) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        byte[] content = (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "key", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, content);
            try {
                Files.move(tmp, file); // two nodes starting at once: the first key wins
            } catch (FileAlreadyExistsException raced) {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the development key " + file, e);
        }
    }
}
