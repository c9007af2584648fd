package com.catalytic.infrastructure.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void timeOrderedIdsAreVersion7UuidsThatSortByTheMillisecondTheyWereDrawnIn() throws Exception {
        long before = System.currentTimeMillis();
        String id = Ids.timeOrderedId();
        long after = System.currentTimeMillis();
        UUID uuid = UUID.fromString(id);
        assertThat(uuid.version()).isEqualTo(7);
        assertThat(uuid.variant()).isEqualTo(2);
        assertThat(uuid.getMostSignificantBits() >>> 16).isBetween(before, after);

        List<String> drawn = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            drawn.add(Ids.timeOrderedId());
            Thread.sleep(2); // a later millisecond: its ids sort after the earlier ones
        }
        assertThat(drawn).isSorted();
    }

    @Test
    void timeOrderedIdsDoNotRepeatAndIgnoreASeed() {
        Set<String> seen = new HashSet<>();
        try (Ids.Scope ignored = Ids.seededBy("the same idempotency key")) {
            for (int i = 0; i < 200_000; i++) {
                assertThat(seen.add(Ids.timeOrderedId())).isTrue();
            }
        }
        // positive control: seeded ids do repeat, which is what a time-ordered id must never do
        String a;
        String b;
        try (Ids.Scope ignored = Ids.seededBy("k")) {
            a = Ids.newId();
        }
        try (Ids.Scope ignored = Ids.seededBy("k")) {
            b = Ids.newId();
        }
        assertThat(a).isEqualTo(b);
    }
}
