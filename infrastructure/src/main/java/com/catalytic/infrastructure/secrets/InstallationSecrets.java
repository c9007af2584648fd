package com.catalytic.infrastructure.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys for the service's own HMACs: derived from {@code SESSION_SECRET_KEY} when it is set (production requires it,
 * and every node has the same), otherwise from a random development secret generated once into a file of the key
 * directory (nodes sharing the directory share it).
 */
public final class InstallationSecrets {

    private static final Logger log = LoggerFactory.getLogger(InstallationSecrets.class);

    private InstallationSecrets() {
    }

    /** The key for {@code purpose}: SHA-256 of the purpose and the session secret, or of the development secret. */
    public static byte[] key(String purpose, String sessionSecret, Path developmentFile) {
        String material = isSet(sessionSecret) ? sessionSecret.trim() : developmentSecret(developmentFile);
        return sha256((purpose + "\n" + material).getBytes(StandardCharsets.UTF_8));
    }

    /** Whether a session secret is usable as a key (at least 32 characters). */
    private static boolean isSet(String sessionSecret) {
        return sessionSecret != null && sessionSecret.trim().length() >= 32;
    }

    /** The content of {@code file}, created with 32 random bytes when it does not exist yet. */
    public static String developmentSecret(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "key", ".tmp");
                Files.writeString(tmp, Ids.secret(32));
                try {
                    Files.move(tmp, file); // two nodes starting at once: the first key wins
                } catch (FileAlreadyExistsException raced) {
                    Files.deleteIfExists(tmp);
                }
                log.info("SESSION_SECRET_KEY is not set: using the development key {}",
                        file.toAbsolutePath().normalize());
            }
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the development key " + file, e);
        }
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
