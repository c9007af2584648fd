package com.catalytic.command.webhook;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When a webhook delivery is attempted: at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after each failure
 * (eight attempts over about 28 hours), each delay varied by ±20 % so that the retries of many deliveries failing
 * together spread out. A {@code Retry-After} on 429 or 503 postpones the next attempt when it asks for longer, up to
 * the longest delay of the schedule. A 2xx answer is a success; everything else is a failure.
 */
public final class DeliverySchedule {

    /** The delay before each attempt, counted from the previous failure (the first attempt: from the event). */
    public static final List<Duration> DELAYS = List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5),
            Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10),
            Duration.ofHours(10));
    public static final double JITTER = 0.2;
    public static final Duration MAX_RETRY_AFTER = Duration.ofHours(10);

    private final DoubleSupplier random;

    /** {@code random}: uniform in [0, 1) (a test's fixed value, or the system's generator). */
    public DeliverySchedule(DoubleSupplier random) {
        this.random = random;
    }

    public static boolean isSuccess(int status) {
        return status >= 200 && status < 300;
    }

    public static int maxAttempts() {
        return DELAYS.size();
    }

    /**
     * The time of the next attempt after {@code attemptsMade} attempts, the last of which failed at {@code failedAt}
     * with {@code status} (0: no answer) and {@code retryAfter} (null: none); empty when the attempts are used up.
     */
    public Optional<Instant> next(int attemptsMade, Instant failedAt, int status, Duration retryAfter) {
        if (attemptsMade < 1) {
            throw new IllegalArgumentException("the first attempt is due at once");
        }
        if (attemptsMade >= DELAYS.size()) {
            return Optional.empty();
        }
        Duration base = DELAYS.get(attemptsMade);
        long millis = Math.round(base.toMillis() * (1 - JITTER + 2 * JITTER * random.getAsDouble()));
        Duration delay = Duration.ofMillis(millis);
        if ((status == 429 || status == 503) && retryAfter != null && retryAfter.compareTo(delay) > 0) {
            delay = retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
        }
        return Optional.of(failedAt.plus(delay));
    }

    /** A {@code Retry-After} value (seconds, or an HTTP date) as a delay from {@code now}; null when unreadable. */
    public static Duration retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String v = header.trim();
        if (v.matches("\\d{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
