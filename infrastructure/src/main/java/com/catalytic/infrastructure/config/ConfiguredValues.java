package com.catalytic.infrastructure.config;

/** Reading deployment settings the same way everywhere. */
public final class ConfiguredValues {

    private ConfiguredValues() {
    }

    /**
     * True when a setting has a real value: not missing, not blank, and not one of the example environment file's
     * placeholders ({@code sk_live_placeholder}, {@code SG.placeholder}, …), which stand for "not configured".
     */
    public static boolean isSet(String value) {
        return value != null && !value.isBlank() && !value.contains("placeholder");
    }
}
