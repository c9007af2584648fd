package com.catalytic.command.user;

import com.catalytic.api.error.DomainException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Password rules: 10 to 128 characters, not the e-mail address (nor its local part), not a commonly used password.
 * Each rule answers with its own code so clients can tell the user what to change.
 */
public final class PasswordPolicy {

    public static final int MIN_LENGTH = 10;
    public static final int MAX_LENGTH = 128;
    private static final Set<String> COMMON = loadCommon();

    private PasswordPolicy() {
    }

    public static void requireAcceptable(String password, String email) {
        if (password == null || password.length() < MIN_LENGTH) {
            throw DomainException.validation("password", "password_too_short",
                    "password must be at least " + MIN_LENGTH + " characters");
        }
        if (password.length() > MAX_LENGTH) {
            throw DomainException.validation("password", "password_too_long",
                    "password must be at most " + MAX_LENGTH + " characters");
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (email != null) {
            String mail = email.toLowerCase(Locale.ROOT);
            int at = mail.indexOf('@');
            String local = at > 0 ? mail.substring(0, at) : mail;
            if (lower.equals(mail) || lower.equals(local)) {
                throw DomainException.validation("password", "password_matches_email",
                        "password must not be the e-mail address");
            }
        }
        if (COMMON.contains(lower) || password.chars().distinct().count() < 3) {
            throw DomainException.validation("password", "password_too_common",
                    "password is too common; choose a less guessable one");
        }
    }

    private static Set<String> loadCommon() {
        Set<String> words = new HashSet<>();
        try (InputStream in = PasswordPolicy.class.getResourceAsStream("/common-passwords.txt")) {
            if (in == null) {
                throw new IllegalStateException("common-passwords.txt is missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                line = line.trim();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    words.add(line.toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(words);
    }
}
