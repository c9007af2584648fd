package com.catalytic.deploy.rebuild;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;

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
    private final Thread thread;

    /**
     * Starts reading after {@code from} (null: from the start) up to and including position {@code last}, keeping
     * events up to {@code asOf} (null: all).
     */
    ReadAhead(JdbcEventStorageEngine events, TrackingToken from, long last, Instant asOf) {
        thread = new Thread(() -> read(events, from, last, asOf), "rebuild-reader");
        thread.setDaemon(true);
        thread.start();
    }

    /** The next chunk; the last one says so. */
    Chunk next() throws InterruptedException {
        return queue.take();
    }

    private void read(JdbcEventStorageEngine events, TrackingToken from, long last, Instant asOf) {
        Chunk end;
        try (Stream<? extends TrackedEventMessage<?>> stream = events.readEvents(from, false)) {
            end = readAll(stream.iterator(), last, asOf);
        } catch (Throwable t) {
            end = Chunk.failed(t);
        }
        if (end != null) {
            hand(end);
        }
    }

    /** Hands over full chunks as they are read and returns the last one, or null once closed. */
    private Chunk readAll(Iterator<? extends TrackedEventMessage<?>> it, long lastPosition, Instant asOf) {
        List<TrackedEventMessage<?>> batch = new ArrayList<>(BATCH);
        TrackingToken last = null;
        int read = 0;
        while (it.hasNext()) {
            TrackedEventMessage<?> e = it.next();
            if (e.trackingToken().position().orElse(Long.MIN_VALUE) > lastPosition) {
                break;
            }
            last = e.trackingToken();
            read++;
            if (asOf == null || !e.getTimestamp().isAfter(asOf)) {
                deserialize(e);
                batch.add(e);
            }
            // events left out by asOf still advance the progress now and then
            if (batch.size() == BATCH || read == BATCH * 10) {
                if (!hand(new Chunk(batch, last, read, false, null))) {
                    return null;
                }
                batch = new ArrayList<>(BATCH);
                read = 0;
            }
        }
        return new Chunk(batch, last, read, true, null);
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
