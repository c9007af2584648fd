package com.catalytic.infrastructure.metering;

import com.catalytic.api.plan.Plan;
import com.catalytic.api.usage.UsageEvents.UsageRecord;
import com.catalytic.api.usage.UsageEvents.UsageRecordedBatchEvent;
import com.catalytic.api.usage.UsageEvents.UsageThresholdReachedEvent;
import com.catalytic.api.usage.UsageThresholds;
import com.catalytic.infrastructure.metering.UsageJournal.Cursor;
import com.catalytic.infrastructure.metering.UsageJournal.Logged;
import com.catalytic.infrastructure.metering.UsageJournal.Position;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Durable usage recording. Request threads hand in their call's record and wait; a writer thread takes everything
 * queued (up to {@code maxBatch}) and makes it durable in one step, then releases the waiting requests. A request is
 * answered only after its record is durable, so an acknowledged call is never lost; under load, many calls share
 * one step.
 *
 * <p>With a local {@link UsageJournal} (the default), that step is one append to the node's journal file and one
 * {@code fdatasync}; a shipper thread then moves the journal into the event store in large transactions — one
 * {@link UsageRecordedBatchEvent} per tenant, the quota ledger, and the journal position reached, all committed
 * together, so a restarted node ships exactly what it had not shipped. While the shared quota count (Redis) is
 * unreliable, calls against a finite quota wait for their shipment instead, so the ledger alone stays exact.
 * Without a log, the step is the event-store transaction itself (group commit).
 */
public class UsageShipper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(UsageShipper.class);
    /** Bounds one stored event (about 300 bytes a call). */
    private static final int MAX_RECORDS_PER_EVENT = 1000;

    /**
     * One call's record, of {@code tenantId}, whose plan allows {@code quotaLimit} calls a month; {@code countNow}:
     * the call was admitted on the shared quota count near the limit, and its count goes to the shared count before
     * it is answered (others are counted with the next batch of increments).
     */
    public record Entry(String tenantId, UsageRecord record, long quotaLimit, boolean countNow) {
    }

    private record Pending(Entry entry, boolean mustShip, CompletableFuture<Void> done) {
    }

    /**
     * Journal lines to move into the event store ({@code entries}; null: too many were waiting, and they are read
     * back from the journal), how many, the position after them, and calls waiting for that.
     */
    private record Shipment(List<Logged> entries, int calls, Position end, List<CompletableFuture<Void>> waiting) {
    }

    /** Thrown when a record could not be made durable: the request must not be acknowledged. */
    public static class UsageNotRecorded extends RuntimeException {
        public UsageNotRecorded(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final EventBus eventBus;
    private final TransactionManager transactions;
    private final JdbcTemplate jdbc;
    private final QuotaLedger ledger;
    private final QuotaCounter counter;
    private final UsageJournal journal;
    private final int maxBatch;
    private final int maxShipment;
    private final long maxBacklog;
    private final long maxInMemory;
    private final long lingerNanos;
    private final long busyLingerNanos;
    private final long busyRate;
    /** Calls in the last shipment, and how long it gathered them: the node's rate, which decides the next linger. */
    private long lastShipmentCalls;
    private long lastGatherNanos;
    private long gatherStartedNanos;
    private final BlockingQueue<Pending> queue;
    private final BlockingQueue<Shipment> toShip = new LinkedBlockingQueue<>();
    /**
     * Calls handed to the shipper and not shipped yet (waiting in {@link #toShip} or gathered): a gathering shipper is
     * woken early only when they fill a shipment.
     */
    private final AtomicLong queuedCalls = new AtomicLong();
    private final AtomicLong backlog = new AtomicLong();
    /** Calls waiting for shipment that are held in memory as well as in the journal. */
    private final AtomicLong inMemory = new AtomicLong();
    /** The journal position shipped (the shipper's own). */
    private Position shippedTo;
    /** Ledger rows known to exist (they are never deleted): no probe before their batches. */
    private final Set<String> ledgerRows = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private volatile boolean shipping;
    private long deletedBelow;
    private Thread writer;
    private Thread shipper;

    /**
     * The shipper's settings, read by {@link MeteringConfiguration} from {@code catalytic.metering.*}.
     *
     * @param maxBatch the most calls one journal append (one force) takes
     * @param capacity the most calls waiting for the writer; beyond it calls are refused (503)
     * @param maxShipment the most calls one shipping transaction moves
     * @param maxBacklog the most calls durable locally but not yet shipped; beyond it calls are refused (503)
     * @param maxInMemory the most of those kept in memory too; the others are read back from the journal in
     *                    chunks of {@code maxShipment} when their turn comes (as are those of an earlier run)
     * @param linger how long the shipper gathers journal batches before a transaction (unless a call waits)
     * @param busyLinger how long it gathers instead while the node records more than {@code busyRate} calls a
     *                   second: a shipment writes one event per tenant in it, so on a busy node with many tenants,
     *                   shipping less often means far fewer, larger events for the database and every processor
     */
    public record Settings(int maxBatch, int capacity, int maxShipment, long maxBacklog, long maxInMemory,
                           Duration linger, Duration busyLinger, long busyRate) {
    }

    /** @param journal the node's journal, or null to commit every group to the event store before answering */
    public UsageShipper(EventBus eventBus, TransactionManager transactions, JdbcTemplate jdbc, QuotaLedger ledger,
                        QuotaCounter counter, UsageJournal journal, Settings settings) {
        this.eventBus = eventBus;
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.counter = counter;
        this.journal = journal;
        this.maxBatch = settings.maxBatch();
        this.maxShipment = settings.maxShipment();
        this.maxBacklog = settings.maxBacklog();
        this.maxInMemory = settings.maxInMemory();
        this.lingerNanos = settings.linger().toNanos();
        this.busyLingerNanos = Math.max(lingerNanos, settings.busyLinger().toNanos());
        this.busyRate = settings.busyRate();
        this.queue = new ArrayBlockingQueue<>(settings.capacity());
    }

    /** Blocks until the record is durable; throws {@link UsageNotRecorded} otherwise. */
    public void record(Entry entry, Duration timeout) {
        if (journal != null && backlog.get() >= maxBacklog) {
            throw new UsageNotRecorded("usage journal backlog is full (" + backlog.get()
                    + " calls not yet in the event store)", null);
        }
        boolean mustShip = journal == null || (entry.quotaLimit() != Plan.UNLIMITED && counter.degraded());
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running || !queue.offer(new Pending(entry, mustShip, done))) {
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

    /** Calls durable in the local journal and not yet in the event store. */
    public long backlog() {
        return backlog.get();
    }

    /** Of the {@link #backlog()}, the calls held in memory as well (at most {@code maxInMemory}). */
    public long inMemory() {
        return inMemory.get();
    }

    // ------------------------------------------------------------------------------------------------ writer

    private void runWriter() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                if (journal == null) {
                    commitDirectly(batch);
                } else {
                    append(batch);
                }
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

    private void commitDirectly(List<Pending> batch) {
        List<Logged> entries = new ArrayList<>(batch.size());
        batch.forEach(p -> entries.add(logged(p.entry())));
        store(entries, null);
        countsOf(entries).forEach((k, n) -> counter.added(k.tenantId(), k.period(), n));
        flushIfCountedNow(batch);
        batch.forEach(p -> p.done().complete(null));
    }

    private void append(List<Pending> batch) {
        List<Logged> entries = new ArrayList<>(batch.size());
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        batch.forEach(p -> entries.add(logged(p.entry())));
        Position end = journal.append(entries); // durable from here on
        int calls = entries.size();
        backlog.addAndGet(calls);
        // past the bound (a long outage of the event store), only the journal keeps them
        boolean keep = inMemory.addAndGet(calls) <= maxInMemory;
        if (!keep) {
            inMemory.addAndGet(-calls);
        }
        countsOf(entries).forEach((k, n) -> counter.logged(k.tenantId(), k.period(), n));
        flushIfCountedNow(batch);
        for (Pending p : batch) {
            if (p.mustShip()) {
                waiting.add(p.done());
            } else {
                p.done().complete(null);
            }
        }
        enqueue(new Shipment(keep ? entries : null, calls, end, waiting));
    }

    /**
     * Hands a shipment to the shipper. While it gathers it sleeps until its linger ends, woken early only by a call
     * waiting for its shipment or by a full shipment: not once per journal append (thousands a second under load).
     */
    private void enqueue(Shipment shipment) {
        toShip.add(shipment);
        long queued = queuedCalls.addAndGet(shipment.calls());
        if (!shipment.waiting().isEmpty() || queued >= maxShipment) {
            LockSupport.unpark(shipper);
        }
    }

    /** Calls admitted near their quota: the next check must see them, so their increments go to Redis first. */
    private void flushIfCountedNow(List<Pending> batch) {
        for (Pending p : batch) {
            if (p.entry().countNow() && p.entry().quotaLimit() != Plan.UNLIMITED) {
                counter.flushIncrements();
                return;
            }
        }
    }

    private static Logged logged(Entry e) {
        return new Logged(e.tenantId(), e.quotaLimit(), e.record());
    }

    // ------------------------------------------------------------------------------------------------ shipper

    private void runShipper() {
        List<Shipment> shipments = new ArrayList<>();
        long failingSince = 0;
        while (shipping || !toShip.isEmpty() || !shipments.isEmpty()) {
            try {
                if (shipments.isEmpty()) {
                    Shipment first = toShip.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    shipments.add(first);
                    int calls = first.calls();
                    boolean urgent = !first.waiting().isEmpty();
                    gatherStartedNanos = System.nanoTime();
                    long deadline = gatherStartedNanos + linger(lastShipmentCalls, lastGatherNanos);
                    while (calls < maxShipment) {
                        Shipment next = toShip.poll();
                        if (next != null) {
                            shipments.add(next);
                            calls += next.calls();
                            urgent |= !next.waiting().isEmpty();
                            continue;
                        }
                        // gather for a moment (fewer, larger transactions) unless a call waits for its shipment
                        long left = urgent || !shipping ? 0 : deadline - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        LockSupport.parkNanos(this, left);
                        if (Thread.interrupted()) {
                            throw new InterruptedException();
                        }
                    }
                }
                long gathered = System.nanoTime() - gatherStartedNanos;
                lastShipmentCalls = ship(shipments);
                queuedCalls.addAndGet(-lastShipmentCalls);
                lastGatherNanos = gathered;
                shipments.clear();
                failingSince = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                long now = System.nanoTime();
                if (failingSince == 0 || now - failingSince > 60_000_000_000L) {
                    log.error("Shipping {} journal batches of usage to the event store failed ({}); the calls are "
                            + "durable in {} and will be shipped when it answers", shipments.size(), e.toString(),
                            "the node's usage journal");
                    failingSince = now;
                }
                if (!shipping && !running) {
                    log.warn("Stopping with {} calls not yet shipped; they are shipped at the next start",
                            backlog.get());
                    break;
                }
                sleepQuietly(500);
            }
        }
    }

    /**
     * How long to gather the next shipment: {@code linger}, or {@code busyLinger} while the node records more than
     * {@code busyRate} calls a second: the last shipment's calls over the time it gathered them (at least
     * {@code linger}, so that a few calls arriving together do not count as a high rate).
     */
    long linger(long lastCalls, long lastGatherNanos) {
        long window = Math.max(lastGatherNanos, lingerNanos);
        boolean busy = window > 0 && lastCalls * 1_000_000_000L > busyRate * window;
        return busy ? busyLingerNanos : lingerNanos;
    }

    /** Ships the calls of these shipments: from memory in one transaction, or read back from the journal. */
    private int ship(List<Shipment> shipments) {
        Position end = shipments.get(shipments.size() - 1).end();
        int calls = 0;
        long held = 0;
        boolean readBack = false;
        for (Shipment s : shipments) {
            calls += s.calls();
            held += s.entries() == null ? 0 : s.calls();
            readBack |= s.entries() == null;
        }
        if (readBack) {
            shipFromJournal(end);
        } else {
            List<Logged> entries = new ArrayList<>(calls);
            shipments.forEach(s -> entries.addAll(s.entries()));
            shipped(entries, end);
        }
        inMemory.addAndGet(-held);
        shipments.forEach(s -> s.waiting().forEach(f -> f.complete(null)));
        return calls;
    }

    /**
     * Reads the calls after the position shipped up to {@code to} back from the journal and ships them, a chunk of
     * {@code maxShipment} per transaction; after a failure, the retry goes on from the last chunk shipped.
     */
    private void shipFromJournal(Position to) {
        Cursor cursor = journal.between(shippedTo, to);
        List<Logged> chunk = new ArrayList<>();
        while (cursor.next(maxShipment, (entry, after) -> chunk.add(entry)) > 0) {
            shipped(List.copyOf(chunk), cursor.position());
            chunk.clear();
        }
    }

    /** Stores these calls with the journal position after them; what lies wholly before it is deleted. */
    private void shipped(List<Logged> entries, Position end) {
        store(entries, end);
        shippedTo = end;
        backlog.addAndGet(-entries.size());
        countsOf(entries).forEach((k, n) -> counter.shipped(k.tenantId(), k.period(), n));
        if (end.segment() > deletedBelow) {
            journal.deleteBefore(end);
            deletedBelow = end.segment();
        }
    }

    /**
     * Calls shipped before a restart are skipped: the event store knows how far this node's journal got. The rest
     * are counted (for the backlog and the quota view) but not kept: the shipper reads them back in chunks.
     */
    private void recover() {
        shippedTo = shippedPosition();
        Map<Key, Long> counts = new LinkedHashMap<>();
        Cursor earlier = journal.between(shippedTo, null);
        int calls = earlier.next(Integer.MAX_VALUE, (entry, after) -> counts.merge(keyOf(entry), 1L, Long::sum));
        if (calls > 0) {
            backlog.addAndGet(calls);
            counts.forEach((k, n) -> counter.logged(k.tenantId(), k.period(), n));
            enqueue(new Shipment(null, calls, earlier.position(), List.of()));
            log.info("Usage journal: {} calls recorded before the last stop are being shipped to the event store",
                    calls);
        }
    }

    private Position shippedPosition() {
        List<Position> rows = jdbc.query("SELECT log_segment, log_offset FROM usage_shipping WHERE node_id = ?",
                (rs, i) -> new Position(rs.getLong("log_segment"), rs.getLong("log_offset")), journal.nodeId());
        return rows.isEmpty() ? Position.START : rows.get(0);
    }

    // ------------------------------------------------------------------------------------------------ event store

    private record Key(String tenantId, String period) {
    }

    private static final Comparator<Key> LEDGER_ORDER = Comparator.comparing(Key::tenantId)
            .thenComparing(Key::period);

    private static Key keyOf(Logged e) {
        return new Key(e.tenantId(), QuotaLedger.period(e.record().occurredAt()));
    }

    private static Map<Key, Long> countsOf(List<Logged> entries) {
        Map<Key, Long> counts = new LinkedHashMap<>();
        for (Logged e : entries) {
            counts.merge(keyOf(e), 1L, Long::sum);
        }
        return counts;
    }

    /**
     * One transaction: one {@link UsageRecordedBatchEvent} per tenant, the quota ledger with the threshold events
     * its new counts reach ({@link UsageThresholds}), and (when shipping a journal) the journal position reached.
     */
    private void store(List<Logged> entries, Position end) {
        // the ledger's rows in one order on every node: two nodes' shipments never wait for each other in a circle
        Map<Key, Long> counts = new TreeMap<>(LEDGER_ORDER);
        counts.putAll(countsOf(entries));
        // each call's quota as it was admitted, in order: a shipment may hold calls from before and after a plan
        // change, and each crosses a threshold against its own plan's quota
        Map<Key, List<Long>> limits = new HashMap<>();
        Map<String, List<UsageRecord>> byTenant = new LinkedHashMap<>();
        for (Logged e : entries) {
            limits.computeIfAbsent(keyOf(e), k -> new ArrayList<>()).add(e.quotaLimit());
            byTenant.computeIfAbsent(e.tenantId(), t -> new ArrayList<>()).add(e.record());
        }
        List<EventMessage<?>> messages = new ArrayList<>(byTenant.size());
        byTenant.forEach((tenantId, records) -> {
            for (int from = 0; from < records.size(); from += MAX_RECORDS_PER_EVENT) {
                List<UsageRecord> chunk = records.subList(from, Math.min(records.size(), from + MAX_RECORDS_PER_EVENT));
                messages.add(GenericEventMessage.asEventMessage(new UsageRecordedBatchEvent(tenantId, List.copyOf(chunk)))
                        .andMetaData(Map.of("tenant_id", tenantId, "actor_type", "system")));
            }
        });
        for (Key k : counts.keySet()) {
            String row = k.tenantId() + "/" + k.period();
            if (!ledgerRows.contains(row)) {
                ledger.ensure(k.tenantId(), k.period());
                if (ledgerRows.size() > 100_000) {
                    ledgerRows.clear();
                }
                ledgerRows.add(row);
            }
        }
        UnitOfWork<?> uow = DefaultUnitOfWork.startAndGet(null);
        uow.attachTransaction(transactions);
        uow.execute(() -> {
            eventBus.publish(messages);
            for (Map.Entry<Key, Long> c : counts.entrySet()) {
                Key k = c.getKey();
                long after = ledger.add(k.tenantId(), k.period(), c.getValue());
                for (UsageThresholdReachedEvent reached : UsageThresholds.reachedByEach(k.tenantId(), k.period(),
                        after - c.getValue(), limits.get(k))) {
                    eventBus.publish(GenericEventMessage.asEventMessage(reached)
                            .andMetaData(Map.of("tenant_id", k.tenantId(), "actor_type", "system")));
                }
            }
            if (end != null) {
                Timestamp now = Timestamp.from(Instant.now());
                int updated = jdbc.update("UPDATE usage_shipping SET log_segment = ?, log_offset = ?, shipped_at = ? "
                        + "WHERE node_id = ?", end.segment(), end.offset(), now, journal.nodeId());
                if (updated == 0) {
                    jdbc.update("INSERT INTO usage_shipping (node_id, log_segment, log_offset, shipped_at) "
                            + "VALUES (?, ?, ?, ?)", journal.nodeId(), end.segment(), end.offset(), now);
                }
            }
        });
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    @Override
    public void start() {
        if (journal != null) {
            recover();
            shipping = true;
            shipper = new Thread(this::runShipper, "usage-shipper");
            shipper.setDaemon(false);
            shipper.start();
        }
        running = true;
        writer = new Thread(this::runWriter, "usage-journal");
        writer.setDaemon(false);
        writer.start();
    }

    @Override
    public void stop() {
        running = false;
        join(writer);
        shipping = false;
        LockSupport.unpark(shipper);
        join(shipper);
        if (journal != null) {
            journal.close();
        }
    }

    private static void join(Thread t) {
        if (t == null) {
            return;
        }
        try {
            t.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
