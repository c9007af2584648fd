package com.catalytic.api.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.usage.UsageEvents.UsageThresholdReachedEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UsageThresholdsTest {

    private static List<Integer> percents(long limit, long before, long after) {
        return UsageThresholds.reached("t1", "2026-11", limit, before, after).stream()
                .map(UsageThresholdReachedEvent::thresholdPercent).toList();
    }

    @Test
    void reachingAMarkNamesTheTenantThePeriodTheCountAndTheLimit() {
        assertThat(UsageThresholds.reached("t1", "2026-11", 10, 7, 8))
                .containsExactly(new UsageThresholdReachedEvent("t1", "2026-11", 80, 8, 10));
        assertThat(UsageThresholds.reached("t1", "2026-11", 10, 9, 10))
                .containsExactly(new UsageThresholdReachedEvent("t1", "2026-11", 100, 10, 10));
    }

    @Test
    void callsCountedTogetherMayReachBothAtOnceWithTheCountAfterThem() {
        assertThat(UsageThresholds.reached("t1", "2026-11", 10, 5, 12)).containsExactly(
                new UsageThresholdReachedEvent("t1", "2026-11", 80, 12, 10),
                new UsageThresholdReachedEvent("t1", "2026-11", 100, 12, 10));
    }

    @ParameterizedTest
    @CsvSource({
            "10, 0, 7", // below both marks
            "10, 8, 9", // the 80 % mark was passed before
            "10, 10, 11", // over the quota already
            "10, 12, 20",
            "10, 8, 8"}) // nothing counted
    void noMarkIsReachedTwiceNorBeforeItsTime(long limit, long before, long after) {
        assertThat(percents(limit, before, after)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
            "1001, 800, 801, 80", // 80 % of 1,001 is 800.8: the mark is rounded up
            "1001, 799, 800, ", //
            "3, 2, 3, 80;100", // 2.4 rounds up to 3, the limit itself
            "1, 0, 1, 80;100",
            "1000, 799, 800, 80",
            "1000, 999, 1000, 100"})
    void marksAreThePercentOfTheLimitRoundedUp(long limit, long before, long after, String expected) {
        List<Integer> percents = expected == null ? List.of()
                : List.of(expected.split(";")).stream().map(Integer::valueOf).toList();
        assertThat(percents(limit, before, after)).isEqualTo(percents);
    }

    @ParameterizedTest
    @CsvSource({"-1", "0"})
    void anUnlimitedQuotaHasNoThresholds(long limit) {
        assertThat(percents(limit, 0, 1_000_000)).isEmpty();
        assertThat(UsageThresholds.mark(limit, 80)).isEqualTo(-1);
    }

    @Test
    void countingOneCallAtATimeReachesEachThresholdExactlyOnce() {
        for (long limit = 1; limit <= 300; limit++) {
            List<UsageThresholdReachedEvent> all = new ArrayList<>();
            for (long after = 1; after <= limit + 5; after++) {
                all.addAll(UsageThresholds.reached("t1", "2026-11", limit, after - 1, after));
            }
            assertThat(all).extracting(UsageThresholdReachedEvent::thresholdPercent).containsExactly(80, 100);
            long at80 = all.get(0).used();
            // the first count that is at least 80 % of the limit
            assertThat(at80 * 100).isGreaterThanOrEqualTo(limit * 80);
            assertThat((at80 - 1) * 100).isLessThan(limit * 80);
            assertThat(all.get(1).used()).isEqualTo(limit);
        }
    }

    @Test
    void eachCallIsJudgedAgainstTheQuotaItWasAdmittedUnder() {
        // 7 calls counted from 30: three under a quota of 40 (crossing 32), then four after an upgrade to unlimited
        List<UsageThresholdReachedEvent> reached = UsageThresholds.reachedByEach("t", "2026-12", 30,
                List.of(40L, 40L, 40L, -1L, -1L, -1L, -1L));
        assertThat(reached).singleElement().satisfies(e -> {
            assertThat(e.thresholdPercent()).isEqualTo(80);
            assertThat(e.used()).isEqualTo(33);
            assertThat(e.limit()).isEqualTo(40);
        });
        // the same calls judged by the last one's quota alone would announce nothing
        assertThat(UsageThresholds.reached("t", "2026-12", -1, 30, 37)).isEmpty();
        assertThat(UsageThresholds.reachedByEach("t", "2026-12", 38, List.of(40L, 40L, 50L))).singleElement()
                .satisfies(e -> assertThat(e.thresholdPercent()).isEqualTo(100));
        assertThat(UsageThresholds.reachedByEach("t", "2026-12", 5, List.of())).isEmpty();
    }
}
