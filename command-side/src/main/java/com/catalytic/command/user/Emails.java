package com.catalytic.command.user;

import com.catalytic.api.error.DomainException;
import java.util.Locale;
import java.util.regex.Pattern;

/** E-mail addresses are compared in their normalised form: trimmed and lower-cased. */
public final class Emails {

    private static final Pattern SHAPE = Pattern.compile("^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}$");

    private Emails() {
    }

    public static String normalize(String email) {
        return email == null ? null : email.trim().toLowerCase(Locale.ROOT);
    }

    public static boolean isValid(String email) {
        return email != null && email.length() <= 254 && SHAPE.matcher(email).matches();
    }

    public static void requireValid(String email, String field) {
        if (!isValid(email)) {
            throw DomainException.validation(field, "invalid_email", field + " must be a valid e-mail address");
        }
    }
}
