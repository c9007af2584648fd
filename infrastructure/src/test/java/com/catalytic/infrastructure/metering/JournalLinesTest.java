package com.catalytic.infrastructure.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.usage.UsageEvents.UsageRecord;
import com.catalytic.infrastructure.metering.UsageJournal.Logged;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** The journal's hand-written lines say what the mapper would write, and read back as the very calls written. */
class JournalLinesTest {

    private static final String[] AWKWARD = {"", "plain", "quote \" inside", "back\\slash", "new\nline\ttab\r",
            "\u0000\u0001\u001f control", "\u007f delete", "é ü ß", "emoji \uD83D\uDE80 pair", "/api/users/{id}",
            "ünïcödé at the start", null};

    private static Logged logged(Random random, int i) {
        String s1 = AWKWARD[random.nextInt(AWKWARD.length)];
        String s2 = AWKWARD[random.nextInt(AWKWARD.length)];
        Instant at = Instant.ofEpochSecond(1_700_000_000L + random.nextInt(100_000_000), random.nextInt(1_000_000_000));
        if (i % 7 == 0) {
            at = Instant.ofEpochSecond(at.getEpochSecond()); // no fraction
        }
        return new Logged(i % 5 == 0 ? s1 : "tenant-" + i, i % 3 == 0 ? -1 : random.nextLong(1, Long.MAX_VALUE),
                new UsageRecord(usageId(i), s2, i % 4 == 0 ? null : "key-" + i, s1, "GET", 100 + random.nextInt(500),
                        random.nextInt(100_000), random.nextLong(0, Long.MAX_VALUE), random.nextLong(0, 1_000_000), at,
                        s2, i % 6 == 0 ? null : "2001:db8::" + i));
    }

    private static String usageId(int i) {
        return "0192f0c4-0000-7000-8000-" + String.format("%012d", i);
    }

    @Test
    void eachLineIsTheMappersJsonWithItsChecksumAndReadsBackAsTheCall() throws Exception {
        Random random = new Random(42);
        List<Logged> calls = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            calls.add(logged(random, i));
        }
        JournalLines lines = new JournalLines();
        calls.forEach(lines::add);
        byte[] all = Arrays.copyOf(lines.array(), lines.size());

        int pos = 0;
        for (Logged call : calls) {
            int nl = pos;
            while (all[nl] != '\n') {
                nl++;
            }
            byte[] json = Arrays.copyOfRange(all, pos + 9, nl);
            CRC32 crc = new CRC32();
            crc.update(json);
            assertThat(new String(all, pos, 8, StandardCharsets.US_ASCII)).isEqualTo(String.format("%08x", crc.getValue()));
            assertThat(all[pos + 8]).isEqualTo((byte) ' ');
            JsonNode written = UsageJournal.JSON.readTree(json);
            JsonNode mappers = UsageJournal.JSON.readTree(UsageJournal.JSON.writeValueAsBytes(call));
            assertThat(written).as(new String(json, StandardCharsets.UTF_8)).isEqualTo(mappers);
            assertThat(UsageJournal.JSON.readValue(json, Logged.class)).isEqualTo(call);
            pos = nl + 1;
        }
        assertThat(pos).isEqualTo(all.length);
    }

    @Test
    void aGroupLargerThanTheBufferGrowsIt() {
        JournalLines lines = new JournalLines();
        String big = "x".repeat(100_000);
        Logged call = new Logged("t", 5, new UsageRecord("u", "v", "k", big, "POST", 201, 1, 2, 3,
                Instant.parse("2026-12-06T00:00:00.000000001Z"), "r", "::1"));
        lines.add(call);
        lines.add(call);
        assertThat(lines.size()).isGreaterThan(200_000);
        lines.reset();
        assertThat(lines.size()).isZero();
    }
}
