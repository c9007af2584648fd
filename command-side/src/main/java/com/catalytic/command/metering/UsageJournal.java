package com.catalytic.command.metering;

import com.catalytic.api.usage.UsageEvents.UsageRecordedEvent;
import com.catalytic.api.usage.UsageEvents.UsageThresholdReachedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Durable usage recording with group commit. Request threads hand in their call's record and wait; one writer
 * thread takes everything queued (up to {@code maxBatch}), appends the {@code UsageRecordedEvent}s and advances the
 * quota ledger in ONE transaction, then releases the waiting requests. A request is answered only after its record
 * is committed, so an acknowledged call is never lost; under load, many calls share one commit.
 */
public class UsageJournal implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(UsageJournal.class);

    public record Entry(UsageRecordedEvent event, long quotaLimit, Map<String, String> metadata) {
    }

    private record Pending(Entry entry, CompletableFuture<Void> done) {
    }

    /** Thrown when a record could not be made durable: the request must not be acknowledged. */
    public static class UsageNotRecorded extends RuntimeException {
        public UsageNotRecorded(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final EventBus eventBus;
    private final TransactionManager transactions;
    private final QuotaLedger ledger;
    private final QuotaCounter counter;
    private final int maxBatch;
    private final BlockingQueue<Pending> queue;
    private volatile boolean running;
    private Thread writer;

    public UsageJournal(EventBus eventBus, TransactionManager transactions, QuotaLedger ledger, QuotaCounter counter,
                        int maxBatch, int capacity) {
        this.eventBus = eventBus;
        this.transactions = transactions;
        this.ledger = ledger;
        this.counter = counter;
        this.maxBatch = maxBatch;
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /** Blocks until the record is committed; throws {@link UsageNotRecorded} otherwise. */
    public void record(Entry entry, Duration timeout) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running || !queue.offer(new Pending(entry, done))) {
            throw new UsageNotRecorded("usage journal is not accepting records", null);
        }
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new UsageNotRecorded("usage record could not be stored", e.getCause());
        } catch (TimeoutException e) {
            throw new UsageNotRecorded("usage record was not stored in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageNotRecorded("interrupted", e);
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                log.error("Usage batch of {} records failed: {}", batch.size(), e.toString());
                batch.forEach(p -> p.done().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
        queue.forEach(p -> p.done().completeExceptionally(new IllegalStateException("shutting down")));
    }

    private void write(List<Pending> batch) {
        record Key(String tenantId, String period) {
        }
        Map<Key, Long> counts = new LinkedHashMap<>();
        Map<Key, Long> limits = new HashMap<>();
        List<EventMessage<?>> messages = new ArrayList<>(batch.size() + 2);
        for (Pending p : batch) {
            UsageRecordedEvent e = p.entry().event();
            Key k = new Key(e.tenantId(), QuotaLedger.period(e.occurredAt()));
            counts.merge(k, 1L, Long::sum);
            limits.put(k, p.entry().quotaLimit());
            messages.add(GenericEventMessage.asEventMessage(e).andMetaData(p.entry().metadata()));
        }
        counts.keySet().forEach(k -> ledger.ensure(k.tenantId(), k.period()));
        UnitOfWork<?> uow = DefaultUnitOfWork.startAndGet(null);
        uow.attachTransaction(transactions);
        Map<Key, Long> totals = new HashMap<>();
        uow.execute(() -> {
            eventBus.publish(messages);
            for (Map.Entry<Key, Long> c : counts.entrySet()) {
                Key k = c.getKey();
                long after = ledger.add(k.tenantId(), k.period(), c.getValue());
                totals.put(k, after);
                long limit = limits.get(k);
                long before = after - c.getValue();
                for (int percent : new int[] {80, 100}) {
                    long mark = limit <= 0 ? -1 : (limit * percent + 99) / 100;
                    if (mark > 0 && before < mark && after >= mark) {
                        eventBus.publish(GenericEventMessage.asEventMessage(new UsageThresholdReachedEvent(
                                k.tenantId(), k.period(), percent, after, limit))
                                .andMetaData(Map.of("tenant_id", k.tenantId(), "actor_type", "system")));
                    }
                }
            }
        });
        batch.forEach(p -> p.done().complete(null));
        counts.forEach((k, n) -> counter.added(k.tenantId(), k.period(), n));
    }

    @Override
    public void start() {
        running = true;
        writer = new Thread(this::run, "usage-journal");
        writer.setDaemon(false);
        writer.start();
    }

    @Override
    public void stop() {
        running = false;
        if (writer != null) {
            try {
                writer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stop after the web server (so in-flight requests can still record), before Axon and the data source. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 4096;
    }
}
