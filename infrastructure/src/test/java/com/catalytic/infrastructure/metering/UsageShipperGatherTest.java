package com.catalytic.infrastructure.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.infrastructure.metering.UsageShipper.Settings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal writer lets a group grow before its force only when the node is busy, and only when set to. */
class UsageShipperGatherTest {

    @TempDir
    Path dir;

    @Test
    void busyWriterLetsTheGroupGrow() {
        try (UsageJournal journal = new UsageJournal(dir)) {
            UsageShipper shipper = shipper(journal, Duration.ofNanos(250_000));
            assertThat(shipper.gathers(UsageShipper.GATHER_WHEN_WAITING)).isTrue();
            assertThat(shipper.gathers(100)).isTrue();
            // a light load is forced at once: its calls would only wait
            assertThat(shipper.gathers(UsageShipper.GATHER_WHEN_WAITING - 1)).isFalse();
            assertThat(shipper.gathers(0)).isFalse();
        }
    }

    @Test
    void noGatheringWhenSwitchedOffOrWithoutJournal() {
        try (UsageJournal journal = new UsageJournal(dir)) {
            assertThat(shipper(journal, Duration.ZERO).gathers(100)).isFalse();
        }
        // without a journal each group is an event-store transaction: nothing to gather for
        assertThat(shipper(null, Duration.ofNanos(250_000)).gathers(100)).isFalse();
    }

    private static UsageShipper shipper(UsageJournal journal, Duration gather) {
        return new UsageShipper(null, null, null, null, null, journal,
                new Settings(500, 10, 5000, 1000, 1000, Duration.ofMillis(50), Duration.ofSeconds(1), 1000, gather));
    }
}
