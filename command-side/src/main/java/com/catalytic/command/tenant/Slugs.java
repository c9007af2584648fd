package com.catalytic.command.tenant;

import java.text.Normalizer;
import java.util.Locale;

/** Tenant slugs: lower-case ASCII letters, digits and single dashes, at most 48 characters. */
public final class Slugs {

    public static final int MAX_LENGTH = 48;

    private Slugs() {
    }

    public static String fromName(String name) {
        String ascii = Normalizer.normalize(name == null ? "" : name, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
        String slug = ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        if (slug.length() > MAX_LENGTH) {
            slug = slug.substring(0, MAX_LENGTH).replaceAll("-+$", "");
        }
        return slug.isEmpty() ? "tenant" : slug;
    }

    public static boolean isValid(String slug) {
        return slug != null && slug.length() <= MAX_LENGTH + 5 && slug.matches("[a-z0-9]+(-[a-z0-9]+)*");
    }
}
