package com.catalytic.deploy.rebuild;

import com.catalytic.deploy.rebuild.EventStoreReader.Position;
import com.catalytic.deploy.rebuild.EventStoreReader.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.axonframework.eventhandling.TrackedEventData;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.serialization.SerializedType;

/**
 * Reads the event store on a thread of its own, a bounded number of batches ahead of the replay: the event store
 * query and the deserialization of payloads and metadata overlap with the handlers and their writes.
 */
final class ReadAhead implements AutoCloseable {

    /** Events per chunk, and about the events of one transaction of a replay lane. */
    static final int BATCH = 1000;
    /** Chunks read ahead of the one being applied. */
    static final int DEPTH = 8;

    private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(DEPTH);
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final EventStoreReader store;
    private final long lastPosition;
    private final String asOf;
    private final Set<SerializedType> countedOnly;
    private final Thread thread;

    /** What the current chunk holds so far. */
    private List<TrackedEventData<byte[]>> batch = new ArrayList<>(BATCH);
    private int read;
    private int loaded;
    /** The last position read, and the positions below it within the gap window that hold no event. */
    private long index;
    private final TreeSet<Long> gaps = new TreeSet<>();

    /**
     * Starts reading after {@code from} (its gaps included) up to and including position {@code last}, keeping
     * events stamped up to {@code asOf} (null: all); events of the {@code countedOnly} forms are counted, not
     * handed over.
     */
    ReadAhead(EventStoreReader store, Position from, long last, String asOf, Set<SerializedType> countedOnly) {
        this.store = store;
        this.lastPosition = last;
        this.asOf = asOf;
        this.countedOnly = Set.copyOf(countedOnly);
        this.index = from.index();
        thread = new Thread(() -> read(from), "rebuild-reader");
        thread.setDaemon(true);
        thread.start();
    }

    /** The next chunk; the last one says so. */
    Chunk next() throws InterruptedException {
        return queue.take();
    }

    private void read(Position from) {
        Chunk end;
        try {
            end = readAll(from);
        } catch (Throwable t) {
            end = Chunk.failed(t);
        }
        if (end != null) {
            hand(end);
        }
    }

    /** Hands over full chunks as they are read and returns the last one, or null once closed. */
    private Chunk readAll(Position from) throws Exception {
        // the positions a previous read found empty come first: an append committed since then fills them; those
        // still empty stay gaps (while within the window)
        if (!from.gaps().isEmpty()) {
            List<Row> filled = store.at(from.gaps(), lastPosition, countedOnly);
            gaps.addAll(from.gaps());
            filled.forEach(row -> gaps.remove(row.index()));
            if (!take(filled, false)) {
                return null;
            }
        }
        List<Row> page;
        do {
            page = store.page(index, lastPosition, countedOnly);
            if (!take(page, true)) {
                return null;
            }
        } while (page.size() == EventStoreReader.QUERY_BATCH);
        return chunk(true);
    }

    /** Takes a page of rows, handing over each full chunk; false once closed. */
    private boolean take(List<Row> rows, boolean advance) {
        for (Row row : rows) {
            if (advance) {
                advanceTo(row.index());
            }
            read++;
            // events after a point in time are read, not applied (their time stamps are fixed width: "C" order)
            if (asOf == null || row.timeStamp().compareTo(asOf) <= 0) {
                if (row.countedOnly()) {
                    loaded++;
                } else {
                    batch.add(row.data());
                }
            }
            // events left out still advance the progress now and then
            if ((batch.size() == BATCH || read == BATCH * 10) && !hand(chunk(false))) {
                return false;
            }
        }
        return true;
    }

    /** Moves past position {@code next}, noting the empty positions skipped within the gap window. */
    private void advanceTo(long next) {
        for (long g = Math.max(index + 1, next - EventStoreReader.GAP_WINDOW); g < next; g++) {
            gaps.add(g);
        }
        index = next;
        gaps.headSet(next - EventStoreReader.GAP_WINDOW).clear();
    }

    private Chunk chunk(boolean last) {
        List<TrackedEventMessage<?>> events = store.messages(batch);
        events.forEach(ReadAhead::deserialize);
        Chunk chunk = new Chunk(events, new Position(index, new TreeSet<>(gaps)), read, loaded, last, null);
        batch = new ArrayList<>(BATCH);
        read = 0;
        loaded = 0;
        return chunk;
    }

    /** Payload and metadata are deserialized on first use; do it here, on the reader thread. */
    private static void deserialize(TrackedEventMessage<?> e) {
        try {
            e.getPayload();
            e.getMetaData();
        } catch (RuntimeException unreadable) {
            // left to the handlers, which report it with the event's id as before
        }
    }

    private boolean hand(Chunk chunk) {
        try {
            while (!stopped.get()) {
                if (queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    @Override
    public void close() throws InterruptedException {
        stopped.set(true);
        queue.clear();
        thread.join();
    }
}
