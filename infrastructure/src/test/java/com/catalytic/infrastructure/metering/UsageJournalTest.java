package com.catalytic.infrastructure.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.catalytic.api.usage.UsageEvents.UsageRecord;
import com.catalytic.infrastructure.metering.UsageJournal.Cursor;
import com.catalytic.infrastructure.metering.UsageJournal.Logged;
import com.catalytic.infrastructure.metering.UsageJournal.Position;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageJournalTest {

    @TempDir
    Path dir;

    private static Logged call(int i) {
        return new Logged("tenant-" + (i % 3), i % 2 == 0 ? 1000 : -1, new UsageRecord("u-" + i, "user", null,
                "/api/me", "GET", 200, 3, 120, 0, Instant.parse("2026-11-26T10:00:00Z").plusMillis(i), "r-" + i,
                "127.0.0.1"));
    }

    private static List<Logged> calls(int from, int to) {
        List<Logged> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(call(i));
        }
        return out;
    }

    private static List<Logged> readAll(UsageJournal log, Position from) {
        List<Logged> out = new ArrayList<>();
        log.readFrom(from, (entry, after) -> out.add(entry));
        return out;
    }

    @Test
    void whatWasAppendedIsReadBackInOrderAfterARestart() {
        Position end;
        try (UsageJournal log = new UsageJournal(dir)) {
            log.append(calls(0, 5));
            end = log.append(calls(5, 8));
        }
        try (UsageJournal log = new UsageJournal(dir)) {
            List<Logged> read = new ArrayList<>();
            List<Position> positions = new ArrayList<>();
            log.readFrom(Position.START, (entry, after) -> {
                read.add(entry);
                positions.add(after);
            });
            assertThat(read).containsExactlyElementsOf(calls(0, 8));
            assertThat(positions.get(7)).isEqualTo(end);
            // from a position: only what follows it
            assertThat(readAll(log, positions.get(4))).containsExactlyElementsOf(calls(5, 8));
            assertThat(readAll(log, end)).isEmpty();
        }
    }

    @Test
    void aTornOrCorruptedTailEndsTheSegmentAndNothingAfterItInThatSegmentIsRead() throws IOException {
        Position afterTwo;
        Path segment;
        try (UsageJournal log = new UsageJournal(dir)) {
            afterTwo = log.append(calls(0, 2));
            log.append(calls(2, 3));
            segment = dir.resolve(String.format("%020d.log", afterTwo.segment()));
        }
        // the third line loses its newline and half its bytes, as if the process died while writing it
        byte[] bytes = Files.readAllBytes(segment);
        int third = (int) afterTwo.offset();
        int end = third;
        while (bytes[end] != '\n') {
            end++;
        }
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(third + (end - third) / 2);
            f.write(new byte[end - third]);
        }
        try (UsageJournal log = new UsageJournal(dir)) {
            assertThat(readAll(log, Position.START)).containsExactlyElementsOf(calls(0, 2));
            // appends after a restart go to a new segment, and are read after the torn one
            log.append(calls(10, 12));
            List<Logged> expected = new ArrayList<>(calls(0, 2));
            expected.addAll(calls(10, 12));
            assertThat(readAll(log, Position.START)).containsExactlyElementsOf(expected);
        }
        // one changed byte in a line's JSON fails its checksum
        bytes = Files.readAllBytes(segment);
        bytes[20] ^= 1;
        Files.write(segment, bytes);
        try (UsageJournal log = new UsageJournal(dir)) {
            assertThat(readAll(log, Position.START)).containsExactlyElementsOf(calls(10, 12));
        }
    }

    @Test
    void segmentsRollOverAndShippedOnesAreDeleted() throws IOException {
        try (UsageJournal log = new UsageJournal(dir, 2048)) {
            Position last = null;
            for (int i = 0; i < 40; i += 4) {
                last = log.append(calls(i, i + 4));
            }
            assertThat(last.segment()).isGreaterThan(3);
            assertThat(readAll(log, Position.START)).containsExactlyElementsOf(calls(0, 40));
            log.deleteBefore(last);
            assertThat(segmentFiles()).hasSize(1);
            assertThat(readAll(log, Position.START)).isNotEmpty().allMatch(c -> calls(0, 40).contains(c));
        }
    }

    @Test
    void aCursorReadsAnEarlierRunsLinesInChunksAndNeverTheCurrentOnes() {
        List<Position> ends = new ArrayList<>();
        try (UsageJournal log = new UsageJournal(dir, 2048)) {
            for (int i = 0; i < 40; i += 4) {
                ends.add(log.append(calls(i, i + 4)));
            }
        }
        assertThat(ends.get(9).segment()).as("the first run's lines span segments").isGreaterThan(3);
        try (UsageJournal log = new UsageJournal(dir, 2048)) {
            Position now = log.append(calls(100, 104));
            // an earlier run's lines: all of them after the position, in order, in chunks of at most 7
            Cursor cursor = log.between(ends.get(0), null);
            List<Logged> read = new ArrayList<>();
            List<Integer> chunks = new ArrayList<>();
            int n;
            while ((n = cursor.next(7, (entry, after) -> read.add(entry))) > 0) {
                chunks.add(n);
            }
            assertThat(read).containsExactlyElementsOf(calls(4, 40));
            assertThat(chunks).allMatch(c -> c <= 7).hasSize(6);
            assertThat(cursor.position()).isEqualTo(ends.get(9));
            // up to a position in the segment being written: no further
            List<Logged> upToNow = new ArrayList<>();
            log.between(ends.get(8), now).next(100, (entry, after) -> upToNow.add(entry));
            List<Logged> expected = new ArrayList<>(calls(36, 40));
            expected.addAll(calls(100, 104));
            assertThat(upToNow).containsExactlyElementsOf(expected);
            log.append(calls(104, 108));
            upToNow.clear();
            log.between(ends.get(8), now).next(100, (entry, after) -> upToNow.add(entry));
            assertThat(upToNow).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aCursorReadsLinesThatStraddleItsWindow() {
        // about 1.5 MB of lines in one segment: more than a reader's window of 1 MB
        try (UsageJournal log = new UsageJournal(dir)) {
            for (int i = 0; i < 6000; i += 500) {
                log.append(calls(i, i + 500));
            }
        }
        try (UsageJournal log = new UsageJournal(dir)) {
            List<Logged> read = new ArrayList<>();
            Cursor cursor = log.between(Position.START, null);
            while (cursor.next(1000, (entry, after) -> read.add(entry)) > 0) {
                assertThat(read.size() % 1000 == 0 || read.size() == 6000).as("chunks of 1000").isTrue();
            }
            assertThat(read).containsExactlyElementsOf(calls(0, 6000));
        }
    }

    @Test
    void oneDirectoryServesOneLogAndKeepsItsNodeId() {
        String nodeId;
        try (UsageJournal log = new UsageJournal(dir)) {
            nodeId = log.nodeId();
            assertThatThrownBy(() -> new UsageJournal(dir)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use by another process");
        }
        try (UsageJournal log = new UsageJournal(dir)) {
            assertThat(log.nodeId()).isEqualTo(nodeId);
        }
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log")).toList();
        }
    }
}
