package com.catalytic.infrastructure.metering;

import com.catalytic.api.usage.UsageEvents.UsageRecord;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The node's local, append-only log of metered calls: what makes a call durable before it is answered. Records are
 * appended in groups and forced to disk ({@code fdatasync}) once per group; the shipper moves them into the event
 * store and records how far it got, so a restarted node ships exactly what had not been shipped.
 *
 * <p>Segments are files {@code <n>.log} of lines {@code <crc32 hex> <json>\n}. A line whose checksum does not match,
 * or that has no newline, was being written when the process died; it was never acknowledged (a call is answered
 * only after the force that follows its line), and reading stops there. Segments are written full of zeros
 * before they are used (in the background, one ahead), so that forcing an append never has to change the file's
 * size or allocate blocks: about a third less work per force than appending to a growing file. After a restart,
 * appends go to a new segment. The directory is locked: two processes can never share one log.
 */
class UsageJournal implements Closeable {

    /** A place in the log: the segment, and the byte offset after the last line read or written. */
    public record Position(long segment, long offset) implements Comparable<Position> {
        public static final Position START = new Position(0, 0);

        @Override
        public int compareTo(Position o) {
            int c = Long.compare(segment, o.segment);
            return c != 0 ? c : Long.compare(offset, o.offset);
        }
    }

    /** One logged call: its tenant, the plan's monthly quota when it was admitted, and the record. */
    public record Logged(String tenantId, long quotaLimit, UsageRecord record) {
    }

    /**
     * Reads the lines ({@link JournalLines} writes them, as this mapper would): instants as decimal epoch seconds
     * with nanoseconds, exact, and much cheaper to write than ISO text.
     */
    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .enable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.WRITE_DATE_TIMESTAMPS_AS_NANOSECONDS)
            .enable(DeserializationFeature.READ_DATE_TIMESTAMPS_AS_NANOSECONDS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final int DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;
    /** What a reader holds of a segment at a time (a line is about 300 bytes). */
    private static final int WINDOW_BYTES = 1024 * 1024;

    private final Path dir;
    private final int segmentBytes;
    private final String nodeId;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ExecutorService preparer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "usage-journal-prepare");
        t.setDaemon(true);
        return t;
    });
    /** The lines of the group being appended (guarded by this journal's lock). */
    private final JournalLines lines = new JournalLines();
    private Future<Path> next;
    private FileChannel current;
    /** The first segment this process writes: those before it were written by earlier runs. */
    private final long firstSegment;
    private long currentSegment;
    private long currentOffset;

    public UsageJournal(Path dir) {
        this(dir, DEFAULT_SEGMENT_BYTES);
    }

    UsageJournal(Path dir, int segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        try {
            Files.createDirectories(dir);
            lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = lockChannel.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                l = null;
            }
            if (l == null) {
                lockChannel.close();
                throw new IllegalStateException("the usage journal " + dir + " is in use by another process; every "
                        + "node needs a data directory (CATALYTIC_DATA_DIR) of its own");
            }
            lock = l;
            nodeId = readOrCreateNodeId(dir.resolve("node-id"));
            try (Stream<Path> stale = Files.list(dir)) { // segments prepared by an earlier run and never used
                for (Path p : stale.filter(p -> p.getFileName().toString().endsWith(".prepared")).toList()) {
                    Files.deleteIfExists(p);
                }
            }
            firstSegment = segments().stream().mapToLong(Long::longValue).max().orElse(0) + 1;
            currentSegment = firstSegment;
            openSegment(currentSegment);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the usage journal in " + dir, e);
        }
    }

    /** This log's identity in the event store's shipping table (kept in the directory, stable across restarts). */
    public String nodeId() {
        return nodeId;
    }

    /** Appends the lines and forces them to disk; answers the position after the last one. */
    public synchronized Position append(List<Logged> entries) {
        try {
            lines.reset();
            for (Logged e : entries) {
                lines.add(e);
            }
            int size = lines.size();
            if (currentOffset > 0 && currentOffset + size > segmentBytes) {
                current.close();
                openSegment(++currentSegment);
            }
            ByteBuffer buf = ByteBuffer.wrap(lines.array(), 0, size);
            long at = currentOffset;
            while (buf.hasRemaining()) {
                at += current.write(buf, at);
            }
            current.force(false);
            currentOffset += size;
            return new Position(currentSegment, currentOffset);
        } catch (IOException e) {
            throw new UncheckedIOException("usage journal write failed", e);
        }
    }

    /** Every complete line after {@code from}, in order, with the position after it. */
    public void readFrom(Position from, BiConsumer<Logged, Position> sink) {
        new Cursor(from, null, Long.MAX_VALUE).next(Integer.MAX_VALUE, sink);
    }

    /**
     * Reads the complete lines after {@code from} up to {@code to} (null: the last segment written before this
     * journal was opened, to its end), a chunk at a time. Lines before {@code to} are never written again, so this
     * may run while appends go on after it.
     */
    public Cursor between(Position from, Position to) {
        return to == null ? new Cursor(from, null, firstSegment - 1) : new Cursor(from, to, to.segment());
    }

    /**
     * Lines of the journal read in chunks: at most one window of a segment in memory at a time, however much is
     * unshipped. Not thread-safe.
     */
    public final class Cursor {

        private final List<Long> segments;
        private final Position to;
        private final byte[] window = new byte[WINDOW_BYTES];
        private int index;
        private long offset;
        private Position position;

        /** The lines after {@code from} in the segments up to {@code lastSegment}, no further than {@code to}. */
        private Cursor(Position from, Position to, long lastSegment) {
            this.segments = segments().stream().filter(n -> n >= from.segment() && n <= lastSegment).toList();
            this.to = to;
            this.position = from;
            this.offset = !segments.isEmpty() && segments.get(0) == from.segment() ? from.offset() : 0;
        }

        /** The position after the last line read (where it started, before any). */
        public Position position() {
            return position;
        }

        /** Reads up to {@code max} more lines into {@code sink}, in order, each with the position after it. */
        public int next(int max, BiConsumer<Logged, Position> sink) {
            int read = 0;
            while (read < max && index < segments.size()) {
                long segment = segments.get(index);
                long limit = to != null && segment == to.segment() ? to.offset() : Long.MAX_VALUE;
                int got = fill(segment, offset, limit);
                int pos = 0;
                boolean ended = got <= 0;
                while (!ended && read < max) {
                    int nl = indexOf(window, (byte) '\n', pos, got);
                    if (nl < 0) {
                        // the segment's data ends here (zeros, a torn tail, the limit) unless the window cut a line
                        boolean cut = got == window.length && pos > 0 && (pos == got || window[pos] != 0);
                        ended = !cut;
                        break;
                    }
                    Logged logged = line(segment, pos, nl);
                    if (logged == null) {
                        ended = true;
                        break;
                    }
                    pos = nl + 1;
                    read++;
                    position = new Position(segment, offset + pos);
                    sink.accept(logged, position);
                }
                offset += pos;
                if (ended || offset >= limit) {
                    index++;
                    offset = 0;
                }
            }
            return read;
        }

        /** Reads the segment from {@code at} into the window, no further than {@code limit}: the bytes read. */
        private int fill(long segment, long at, long limit) {
            int want = (int) Math.min(window.length, limit - at);
            if (want <= 0) {
                return 0;
            }
            try (FileChannel c = FileChannel.open(file(segment), StandardOpenOption.READ)) {
                ByteBuffer buf = ByteBuffer.wrap(window, 0, want);
                while (buf.hasRemaining() && c.read(buf, at + buf.position()) > 0) {
                    // until the window is full or the file ends
                }
                return buf.position();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file(segment), e);
            }
        }

        /** The line from {@code pos} to the newline at {@code nl}, or null if torn or corrupted (it ends the data). */
        private Logged line(long segment, int pos, int nl) {
            if (nl - pos < 10 || window[pos + 8] != ' ') {
                return null; // torn: never acknowledged
            }
            CRC32 crc = new CRC32();
            crc.update(window, pos + 9, nl - pos - 9);
            if (!Arrays.equals(window, pos, pos + 8, hex8(crc.getValue()), 0, 8)) {
                return null;
            }
            try {
                return JSON.readValue(window, pos + 9, nl - pos - 9, Logged.class);
            } catch (IOException e) {
                throw new UncheckedIOException("unreadable usage journal line in " + file(segment), e);
            }
        }
    }

    /** Deletes the segments that lie wholly before {@code shipped} (never the one being written). */
    public void deleteBefore(Position shipped) {
        for (long segment : segments()) {
            if (segment < shipped.segment() && segment != currentSegment) {
                try {
                    Files.deleteIfExists(file(segment));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete " + file(segment), e);
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        preparer.shutdownNow();
        try {
            if (!preparer.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IOException("the next journal segment is still being prepared");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            current.close();
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void openSegment(long segment) throws IOException {
        Path prepared = null;
        if (next != null) {
            try {
                prepared = next.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while preparing a journal segment", e);
            } catch (ExecutionException e) {
                prepared = null; // prepare it here instead
            }
        }
        if (prepared == null) {
            prepared = prepare(segment);
        }
        Files.move(prepared, file(segment), StandardCopyOption.ATOMIC_MOVE);
        // the new file's directory entry must survive a power loss as well as its contents
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException notSupported) {
            // some file systems cannot sync a directory; the file's own force still applies
        }
        current = FileChannel.open(file(segment), StandardOpenOption.WRITE);
        currentOffset = 0;
        long following = segment + 1;
        next = preparer.submit(() -> prepare(following));
    }

    /** A segment-sized file of zeros, forced to disk, under a name that recovery ignores. */
    private Path prepare(long segment) throws IOException {
        Path tmp = dir.resolve(String.format("%020d.prepared", segment));
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer zeros = ByteBuffer.allocate(Math.min(1024 * 1024, segmentBytes));
            for (long at = 0; at < segmentBytes; at += zeros.capacity()) {
                zeros.clear();
                while (zeros.hasRemaining()) {
                    c.write(zeros, at + zeros.position());
                }
            }
            c.force(true);
        }
        return tmp;
    }

    private List<Long> segments() {
        try (Stream<Path> files = Files.list(dir)) {
            List<Long> out = new ArrayList<>();
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("\\d{20}\\.log"))
                    .forEach(n -> out.add(Long.parseLong(n.substring(0, 20))));
            out.sort(Long::compare);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private Path file(long segment) {
        return dir.resolve(String.format("%020d.log", segment));
    }

    private static byte[] hex8(long value) {
        byte[] out = new byte[8];
        for (int i = 7; i >= 0; i--) {
            out[i] = (byte) "0123456789abcdef".charAt((int) (value & 0xf));
            value >>>= 4;
        }
        return out;
    }

    private static int indexOf(byte[] bytes, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String readOrCreateNodeId(Path file) throws IOException {
        if (Files.exists(file)) {
            String id = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (!id.isEmpty()) {
                return id;
            }
        }
        String id = UUID.randomUUID().toString();
        Path tmp = file.resolveSibling("node-id.tmp");
        Files.writeString(tmp, id + "\n", StandardCharsets.US_ASCII);
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return id;
    }
}
