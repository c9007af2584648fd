package com.catalytic.command.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeliveryScheduleTest {

    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    /** The delays between the attempts of a delivery that always fails, with the jitter fixed at {@code random}. */
    static List<Duration> spacing(double random) {
        DeliverySchedule schedule = new DeliverySchedule(() -> random);
        List<Duration> out = new ArrayList<>();
        Instant at = T0;
        for (int made = 1; ; made++) {
            Optional<Instant> next = schedule.next(made, at, 500, null);
            if (next.isEmpty()) {
                return out;
            }
            out.add(Duration.between(at, next.get()));
            at = next.get();
        }
    }

    @Test
    void eightAttemptsSpacedAsTheScheduleSaysWithinTwentyPercent() {
        List<Duration> middle = spacing(0.5);
        assertThat(middle).containsExactly(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30),
                Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10));
        assertThat(spacing(0.0).get(0)).isEqualTo(Duration.ofSeconds(4));
        assertThat(spacing(0.999999).get(6)).isBetween(Duration.ofHours(12).minusSeconds(1), Duration.ofHours(12));
        Duration total = middle.stream().reduce(Duration.ZERO, Duration::plus);
        assertThat(total).as("retried for more than a day").isGreaterThan(Duration.ofDays(1));
    }

    @Test
    void retryAfterOn429And503PostponesUpToTheLongestDelay() {
        DeliverySchedule schedule = new DeliverySchedule(() -> 0.5);
        assertThat(schedule.next(1, T0, 429, Duration.ofMinutes(2))).contains(T0.plus(Duration.ofMinutes(2)));
        assertThat(schedule.next(1, T0, 503, Duration.ofMinutes(2))).contains(T0.plus(Duration.ofMinutes(2)));
        assertThat(schedule.next(1, T0, 500, Duration.ofMinutes(2))).as("only on 429 and 503")
                .contains(T0.plusSeconds(5));
        assertThat(schedule.next(3, T0, 429, Duration.ofSeconds(1))).as("never sooner than the schedule")
                .contains(T0.plus(Duration.ofMinutes(30)));
        assertThat(schedule.next(1, T0, 429, Duration.ofDays(30))).contains(T0.plus(Duration.ofHours(10)));
    }

    @Test
    void retryAfterReadsSecondsAndHttpDates() {
        assertThat(DeliverySchedule.retryAfter("120", T0)).isEqualTo(Duration.ofSeconds(120));
        assertThat(DeliverySchedule.retryAfter("Tue, 01 Jan 2030 00:01:00 GMT", T0)).isEqualTo(Duration.ofMinutes(1));
        assertThat(DeliverySchedule.retryAfter("soon", T0)).isNull();
        assertThat(DeliverySchedule.retryAfter(null, T0)).isNull();
    }

    @Test
    void only2xxIsASuccess() {
        assertThat(DeliverySchedule.isSuccess(200)).isTrue();
        assertThat(DeliverySchedule.isSuccess(204)).isTrue();
        assertThat(DeliverySchedule.isSuccess(301)).isFalse();
        assertThat(DeliverySchedule.isSuccess(199)).isFalse();
        assertThat(DeliverySchedule.isSuccess(0)).isFalse();
    }
}
