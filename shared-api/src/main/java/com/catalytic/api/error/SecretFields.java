package com.catalytic.api.error;

import java.util.Locale;
import java.util.regex.Pattern;

/** The one rule for what never leaves the event store in audit rows and history: hashes, passwords, secrets, tokens. */
public final class SecretFields {

    private static final Pattern SECRET = Pattern.compile(".*(hash|password|secret|token).*");

    private SecretFields() {
    }

    public static boolean isSecret(String fieldName) {
        return SECRET.matcher(fieldName.toLowerCase(Locale.ROOT)).matches();
    }
}
