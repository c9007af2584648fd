package com.catalytic.deploy.rebuild;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;

/** One projection's share of the replay: its handlers, on a thread of its own, chunks in order. */
final class ReplayLane {

    private final String group;
    private final List<AnnotationEventHandlerAdapter> handlers;
    private final SpringTransactionManager tx;
    /** The projection's load in the database, which fills its tables before its handlers write them; or null. */
    private final Future<?> load;
    private final Map<Class<?>, List<AnnotationEventHandlerAdapter>> byPayloadType = new HashMap<>();
    private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(ReadAhead.DEPTH);
    private final Thread thread;
    private volatile Throwable failure;
    private volatile boolean stopped;

    ReplayLane(String group, List<AnnotationEventHandlerAdapter> handlers, SpringTransactionManager tx,
               Future<?> load) {
        this.group = group;
        this.handlers = handlers;
        this.tx = tx;
        this.load = load;
        thread = new Thread(this::work, "rebuild-" + group);
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues a chunk, waiting while the lane is behind; throws the lane's failure, if any. */
    void put(Chunk chunk) throws Exception {
        while (!queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
            check();
        }
    }

    /** Waits until every chunk handed over is applied. */
    void finish() throws Exception {
        thread.join();
        check();
    }

    void stop() throws InterruptedException {
        stopped = true;
        thread.join();
    }

    private void check() {
        if (failure != null) {
            throw failure instanceof RuntimeException e ? e : new IllegalStateException(failure);
        }
    }

    private void work() {
        // a lane handling few of the events (sessions, access changes) gathers its own over several chunks: one
        // transaction per chunk's worth of them, not one per chunk read
        List<TrackedEventMessage<?>> mine = new ArrayList<>();
        try {
            while (!stopped) {
                Chunk chunk = queue.poll(100, TimeUnit.MILLISECONDS);
                if (chunk == null) {
                    continue;
                }
                for (TrackedEventMessage<?> e : chunk.events()) {
                    if (!handlersOf(e.getPayloadType()).isEmpty()) {
                        mine.add(e);
                    }
                }
                if (mine.size() >= ReadAhead.BATCH || chunk.last()) {
                    apply(mine);
                    mine = new ArrayList<>();
                }
                if (chunk.last()) {
                    return;
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** The handlers with at least one handler method for this payload type (the others can't handle it). */
    private List<AnnotationEventHandlerAdapter> handlersOf(Class<?> payloadType) {
        return byPayloadType.computeIfAbsent(payloadType,
                type -> handlers.stream().filter(h -> h.canHandleType(type)).toList());
    }

    /** Applies events this lane's handlers handle, in one unit of work and transaction. */
    private void apply(List<TrackedEventMessage<?>> mine) throws Exception {
        if (mine.isEmpty()) {
            return;
        }
        if (load != null) {
            // the events it did not load (an older revision) go into the tables as it leaves them, keyed and summed
            try {
                load.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("loading " + group + " in the database failed", e.getCause());
            }
        }
        UnitOfWork<?> uow = DefaultUnitOfWork.startAndGet(null);
        uow.attachTransaction(tx);
        uow.execute(() -> mine.forEach(this::handle));
    }

    private void handle(TrackedEventMessage<?> e) {
        for (AnnotationEventHandlerAdapter h : handlersOf(e.getPayloadType())) {
            try {
                h.handle(e); // finds the matching handler itself; none: nothing done
            } catch (Exception ex) {
                throw new IllegalStateException("replaying event " + e.getIdentifier() + " failed", ex);
            }
        }
    }
}
