package com.catalytic.deploy.legacy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reading the original service's column values as SQLAlchemy stored them in SQLite: ids as dashed UUID strings,
 * times as {@code 2024-01-15 10:30:00.123456} in UTC, JSON as text, booleans as 0/1. A value that cannot be read
 * throws {@link Invalid} with the reason the row is rejected.
 */
final class LegacyValues {

    /** A row that cannot be imported, and why (shown to the operator). */
    static final class Invalid extends Exception {
        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern DASHLESS = Pattern.compile("[0-9a-fA-F]{32}");
    private static final DateTimeFormatter SQLITE_TIME = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd[' ']['T']HH:mm[:ss]")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter(Locale.ROOT);
    private static final ObjectMapper JSON = new ObjectMapper();

    private LegacyValues() {
    }

    static String text(Map<String, Object> row, String column) {
        Object v = row.get(column);
        return v == null ? null : v.toString();
    }

    /** The row's id: a UUID with dashes, lower-cased. */
    static String id(Map<String, Object> row) throws Invalid {
        return uuid(row, "id");
    }

    static String uuid(Map<String, Object> row, String column) throws Invalid {
        String v = text(row, column);
        if (v == null || v.isBlank()) {
            throw new Invalid(column + " is missing");
        }
        String t = v.trim();
        if (UUID.matcher(t).matches()) {
            return t.toLowerCase(Locale.ROOT);
        }
        if (DASHLESS.matcher(t).matches()) {
            throw new Invalid(column + " '" + t + "' is a UUID without dashes (the original service wrote "
                    + "8-4-4-4-12)");
        }
        throw new Invalid(column + " '" + abbreviate(t) + "' is not a UUID");
    }

    /** An optional reference to another row: null when empty. */
    static String optionalUuid(Map<String, Object> row, String column) throws Invalid {
        String v = text(row, column);
        return v == null || v.isBlank() ? null : uuid(row, column);
    }

    static Instant requiredTime(Map<String, Object> row, String column) throws Invalid {
        Instant t = time(row, column);
        if (t == null) {
            throw new Invalid(column + " is missing");
        }
        return t;
    }

    /** A time as SQLAlchemy stores it on SQLite (UTC, no zone), or ISO-8601 with a zone; null when empty. */
    static Instant time(Map<String, Object> row, String column) throws Invalid {
        Object v = row.get(column);
        if (v == null || v.toString().isBlank()) {
            return null;
        }
        if (v instanceof Number n) {
            return Instant.ofEpochMilli(n.longValue());
        }
        String s = v.toString().trim();
        try {
            return OffsetDateTime.parse(s.replace(' ', 'T')).toInstant();
        } catch (DateTimeParseException zoned) {
            try {
                return LocalDateTime.parse(s, SQLITE_TIME).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw new Invalid(column + " '" + abbreviate(s) + "' is not a date and time");
            }
        }
    }

    /** 0/1 as SQLite stores booleans (also true/false); {@code fallback} when empty. */
    static boolean bool(Map<String, Object> row, String column, boolean fallback) throws Invalid {
        Object v = row.get(column);
        if (v == null) {
            return fallback;
        }
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "1", "true", "t" -> true;
            case "0", "false", "f" -> false;
            case "" -> fallback;
            default -> throw new Invalid(column + " '" + abbreviate(s) + "' is not a boolean");
        };
    }

    /** A whole number, {@code fallback} when empty. */
    static long number(Map<String, Object> row, String column, long fallback) throws Invalid {
        Object v = row.get(column);
        if (v == null || v.toString().isBlank()) {
            return fallback;
        }
        try {
            return new BigDecimal(v.toString().trim()).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new Invalid(column + " '" + abbreviate(v.toString()) + "' is not a whole number");
        }
    }

    /** A JSON column: null (absent) when empty. */
    static JsonNode json(Map<String, Object> row, String column) throws Invalid {
        String v = text(row, column);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(v);
        } catch (JsonProcessingException e) {
            throw new Invalid(column + " is not valid JSON (" + abbreviate(e.getOriginalMessage()) + ")");
        }
    }

    static String abbreviate(String s) {
        return s == null ? "" : s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
