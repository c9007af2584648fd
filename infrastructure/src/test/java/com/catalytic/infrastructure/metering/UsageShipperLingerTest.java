package com.catalytic.infrastructure.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.infrastructure.metering.UsageShipper.Settings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The shipper gathers longer while the node is busy: fewer, larger events when there are many calls to ship. */
class UsageShipperLingerTest {

    private static final long MS = 1_000_000L;

    private final UsageShipper shipper = shipper(Duration.ofMillis(50), Duration.ofSeconds(1));

    @Test
    void quietNodeShipsAfterTheShortLinger() {
        assertThat(shipper.linger(0, 0)).isEqualTo(50 * MS); // first shipment after a start
        assertThat(shipper.linger(3, 50 * MS)).isEqualTo(50 * MS); // 60 calls a second
        assertThat(shipper.linger(50, 50 * MS)).isEqualTo(50 * MS); // exactly 1,000 a second: not above it
        assertThat(shipper.linger(900, 1000 * MS)).isEqualTo(50 * MS); // was busy, slowed down to 900 a second
        // a few calls gathered in an instant (a sequential client right after a shipment) are not a high rate
        assertThat(shipper.linger(6, 2 * MS)).isEqualTo(50 * MS);
    }

    @Test
    void busyNodeGathersForTheLongLinger() {
        assertThat(shipper.linger(51, 50 * MS)).isEqualTo(1000 * MS); // 1,020 a second
        assertThat(shipper.linger(10_000, 1000 * MS)).isEqualTo(1000 * MS); // stays busy at 10,000 a second
    }

    @Test
    void busyLingerIsNeverShorterThanTheLinger() {
        UsageShipper odd = shipper(Duration.ofMillis(200), Duration.ofMillis(20));
        assertThat(odd.linger(10_000, 1000 * MS)).isEqualTo(200 * MS);
    }

    private static UsageShipper shipper(Duration linger, Duration busyLinger) {
        return new UsageShipper(null, null, null, null, null, null,
                new Settings(500, 10, 5000, 1000, 1000, linger, busyLinger, 1000));
    }
}
