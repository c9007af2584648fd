package com.catalytic.deploy.rebuild;

import com.catalytic.deploy.config.AxonConfiguration;
import com.catalytic.projections.webhook.WebhookProjection;
import com.catalytic.projections.lattice.LatticeProjection;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import javax.sql.DataSource;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.axonframework.common.jdbc.DataSourceConnectionProvider;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.serialization.AnnotationRevisionResolver;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.serialization.upcasting.event.EventUpcaster;
import org.axonframework.serialization.upcasting.event.EventUpcasterChain;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.flywaydb.core.Flyway;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Rebuilds read models by replaying the event store into fresh tables in a schema of their own, beside the live
 * ones. A full rebuild then swaps the new tables in atomically (one transaction, while appends are briefly held),
 * so readers never see a half-built table; with {@code asOf} the read models as they were at that instant stay in
 * their own schema for inspection or for restoring from. PostgreSQL only.
 */
public class ProjectionRebuilder {

    /** Projection name (its processing group) → the tables it owns. */
    public static final Map<String, List<String>> PROJECTIONS = new LinkedHashMap<>();

    static {
        PROJECTIONS.put("accounts", List.of("tenants", "users", "api_keys", "subscriptions"));
        PROJECTIONS.put("sessions", List.of("auth_sessions"));
        PROJECTIONS.put("access-changes", List.of("access_changes"));
        PROJECTIONS.put("usage", List.of("usage_logs"));
        PROJECTIONS.put("audit", List.of("audit_logs", "audit_heads"));
        PROJECTIONS.put(WebhookProjection.GROUP, WebhookProjection.TABLES);
        PROJECTIONS.put(LatticeProjection.GROUP, LatticeProjection.TABLES);
    }

    public record Result(String schema, long events, long millis, boolean swapped) {
        public double eventsPerSecond() {
            return millis == 0 ? events : events * 1000.0 / millis;
        }
    }

    /** Events per transaction of the replay. */
    private static final int BATCH = 1000;
    /** Batches read ahead of the one being applied. */
    private static final int READ_AHEAD = 8;
    /** Events per query of the event store. */
    private static final int READ_BATCH = 10_000;

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final PrintStream out;
    private final boolean progress;

    public ProjectionRebuilder(String jdbcUrl, String user, String password, PrintStream out, boolean progress) {
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("projections rebuild needs PostgreSQL (DATABASE_URL); the embedded "
                    + "H2 default has no rebuild (see docs/OPERATIONS.md, \"Rollback\")");
        }
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.out = out;
        this.progress = progress;
    }

    public Result rebuild(List<String> names, Instant asOf, boolean keepOld) throws Exception {
        List<String> selected = names == null || names.isEmpty() ? List.copyOf(PROJECTIONS.keySet()) : names;
        for (String n : selected) {
            if (!PROJECTIONS.containsKey(n)) {
                throw new IllegalArgumentException("unknown projection '" + n + "'; known: " + PROJECTIONS.keySet());
            }
        }
        DataSource live = dataSource(jdbcUrl);
        String liveSchema;
        try (Connection c = live.getConnection(); Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT current_schema()");
            rs.next();
            liveSchema = rs.getString(1);
        }
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        String target = (asOf == null ? "rebuild_" : "asof_") + stamp;
        execute(live, "CREATE SCHEMA " + target);
        Flyway.configure().dataSource(withSchema(target), user, password).schemas(target)
                .locations("classpath:db/migration/projections").load().migrate();
        // the new tables are filled faster without their secondary indexes, built in one pass after the replay
        List<String> deferredIndexes = dropSecondaryIndexes(live, target, tables(selected));
        out.println("Rebuilding " + selected + " from the event store of schema " + liveSchema + " into " + target
                + (asOf != null ? " as of " + asOf : ""));

        long start = System.currentTimeMillis();
        Map<String, Long> phases = new LinkedHashMap<>(); // phase → its end, in ms since start
        long replayed;
        // the event store reads on one connection of its own, kept open for the whole replay
        SingleConnectionDataSource eventSource = new SingleConnectionDataSource(jdbcUrl, user == null ? "" : user,
                password == null ? "" : password, true);
        try (eventSource; ConfigurableApplicationContext ctx = new SpringApplicationBuilder(RebuildContext.class)
                .web(WebApplicationType.NONE).bannerMode(org.springframework.boot.Banner.Mode.OFF).logStartupInfo(false)
                .properties(Map.ofEntries(
                        // multi-row inserts for JDBC batches; the rebuild's own commits need not wait for the WAL
                        // flush (a crash loses the unfinished rebuild schema anyway; the swap commits durably)
                        Map.entry("spring.datasource.url", withSchema(target + "," + liveSchema)
                                + "&reWriteBatchedInserts=true"),
                        Map.entry("spring.datasource.hikari.connection-init-sql", "SET synchronous_commit = off"),
                        Map.entry("spring.datasource.username", user == null ? "" : user),
                        Map.entry("spring.datasource.password", password == null ? "" : password),
                        Map.entry("spring.jpa.hibernate.ddl-auto", "none"),
                        Map.entry("spring.jpa.open-in-view", "false"),
                        // the rows a batch flushes at commit go as JDBC batches (rewritten into multi-row inserts)
                        Map.entry("spring.jpa.properties.hibernate.jdbc.batch_size", "500"),
                        Map.entry("spring.jpa.properties.hibernate.order_inserts", "true"),
                        Map.entry("spring.jpa.properties.hibernate.order_updates", "true"),
                        Map.entry("catalytic.audit.dedupe", "false"),
                        Map.entry("catalytic.audit.sole-writer", "true"),
                        Map.entry("logging.level.root", "WARN"),
                        Map.entry("spring.flyway.enabled", "false")))
                .run()) {
            Map<String, List<AnnotationEventHandlerAdapter>> handlers = handlers(ctx, Set.copyOf(selected));
            SpringTransactionManager tx = new SpringTransactionManager(ctx.getBean(PlatformTransactionManager.class));
            JdbcEventStorageEngine events = eventStore(eventSource, new EventUpcasterChain(
                    ctx.getBeanProvider(EventUpcaster.class).orderedStream().toList()));
            long total = count(live, liveSchema);
            Replay replay = new Replay(handlers, tx);
            try (ProgressBar bar = progress ? new ProgressBarBuilder().setTaskName("rebuild").setInitialMax(total)
                    .setUnit(" events", 1).showSpeed().setStyle(ProgressBarStyle.ASCII).setConsumer(
                            new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build() : null) {
                phases.put("context", System.currentTimeMillis() - start);
                // (reading ahead while the context starts was tried: both compete for the same two cores)
                replay.run(new Reader(events, null, asOf), bar);
                phases.put("replay", System.currentTimeMillis() - start);
                createIndexes(live, deferredIndexes);
                phases.put("indexes", System.currentTimeMillis() - start);
                if (asOf == null) {
                    swap(live, liveSchema, target, selected, events, replay, keepOld, stamp);
                    phases.put("catch-up and swap", System.currentTimeMillis() - start);
                }
            }
            replayed = replay.count;
        }
        long millis = System.currentTimeMillis() - start;
        Result result = new Result(target, replayed, millis, asOf == null);
        out.printf("%d events replayed in %.1f s (%.0f events/s)%n", replayed, millis / 1000.0, result.eventsPerSecond());
        StringBuilder split = new StringBuilder();
        long previous = 0;
        for (var phase : phases.entrySet()) {
            split.append(split.isEmpty() ? "" : ", ").append(String.format("%s %.1f s", phase.getKey(),
                    (phase.getValue() - previous) / 1000.0));
            previous = phase.getValue();
        }
        out.println("  of which " + split);
        if (asOf == null) {
            out.println("Swapped in: " + tables(selected) + (keepOld ? " (previous tables kept in schema old_" + stamp
                    + ")" : ""));
        } else {
            out.println("Read models as of " + asOf + " are in schema " + target + " (SET search_path TO " + target
                    + "); the live tables are untouched. Drop it with: DROP SCHEMA " + target + " CASCADE");
        }
        return result;
    }

    /** Events read but not yet applied, or the end of the stream (with the reader's failure, if any). */
    private record Chunk(List<TrackedEventMessage<?>> events, TrackingToken position, int read, boolean last,
                         Throwable failure) {
    }

    /**
     * Reads the event store on a thread of its own, a bounded number of batches ahead of the replay: the event
     * store query and the deserialization of payloads and metadata overlap with the handlers and their writes.
     */
    private static final class Reader implements AutoCloseable {
        private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(READ_AHEAD);
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final Thread thread;

        Reader(JdbcEventStorageEngine events, TrackingToken from, Instant asOf) {
            thread = new Thread(() -> read(events, from, asOf), "rebuild-reader");
            thread.setDaemon(true);
            thread.start();
        }

        Chunk next() throws InterruptedException {
            return queue.take();
        }

        private void read(JdbcEventStorageEngine events, TrackingToken from, Instant asOf) {
            Chunk end;
            try (Stream<? extends TrackedEventMessage<?>> stream = events.readEvents(from, false)) {
                var it = stream.iterator();
                List<TrackedEventMessage<?>> batch = new ArrayList<>(BATCH);
                TrackingToken last = null;
                int read = 0;
                while (it.hasNext()) {
                    TrackedEventMessage<?> e = it.next();
                    last = e.trackingToken();
                    read++;
                    if (asOf == null || !e.getTimestamp().isAfter(asOf)) {
                        deserialize(e);
                        batch.add(e);
                    }
                    if (batch.size() == BATCH || read == BATCH * 10) {
                        if (!hand(new Chunk(batch, last, read, false, null))) {
                            return;
                        }
                        batch = new ArrayList<>(BATCH);
                        read = 0;
                    }
                }
                end = new Chunk(batch, last, read, true, null);
            } catch (Throwable t) {
                end = new Chunk(List.of(), null, 0, true, t);
            }
            hand(end);
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

    /**
     * Replays events in global order into the handlers. Each projection (processing group) is applied on a thread
     * of its own, one transaction per batch, as the live processors of different groups run independently of each
     * other: one projection's writes wait for PostgreSQL while another's handlers run. All of them see every batch
     * in order; a failure in any stops the replay.
     */
    private static final class Replay {
        final Map<String, List<AnnotationEventHandlerAdapter>> groups;
        final SpringTransactionManager tx;
        TrackingToken position;
        long count;

        Replay(Map<String, List<AnnotationEventHandlerAdapter>> groups, SpringTransactionManager tx) {
            this.groups = groups;
            this.tx = tx;
        }

        /** Applies what the reader reads, to its end. */
        void run(Reader reader, ProgressBar bar) throws Exception {
            List<Lane> lanes = new ArrayList<>();
            groups.forEach((group, handlers) -> lanes.add(new Lane(group, handlers, tx)));
            try (reader) {
                while (true) {
                    Chunk chunk = reader.next();
                    if (chunk.failure() != null) {
                        throw new IllegalStateException("reading the event store failed", chunk.failure());
                    }
                    for (Lane lane : lanes) {
                        lane.put(chunk);
                    }
                    if (chunk.position() != null) {
                        position = chunk.position();
                    }
                    count += chunk.events().size();
                    if (bar != null) {
                        bar.stepBy(chunk.read());
                    }
                    if (chunk.last()) {
                        break;
                    }
                }
                for (Lane lane : lanes) {
                    lane.finish();
                }
            } finally {
                for (Lane lane : lanes) {
                    lane.stop();
                }
            }
        }
    }

    /** One projection's share of the replay: its handlers, on a thread of its own, batches in order. */
    private static final class Lane {
        private final List<AnnotationEventHandlerAdapter> handlers;
        private final SpringTransactionManager tx;
        private final Map<Class<?>, List<AnnotationEventHandlerAdapter>> byPayloadType = new HashMap<>();
        private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(READ_AHEAD);
        private final Thread thread;
        private volatile Throwable failure;
        private volatile boolean stopped;

        Lane(String group, List<AnnotationEventHandlerAdapter> handlers, SpringTransactionManager tx) {
            this.handlers = handlers;
            this.tx = tx;
            thread = new Thread(this::work, "rebuild-" + group);
            thread.setDaemon(true);
            thread.start();
        }

        void put(Chunk chunk) throws Exception {
            while (!queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                check();
            }
        }

        /** Waits until every batch handed over is applied. */
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
            try {
                while (!stopped) {
                    Chunk chunk = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (chunk == null) {
                        continue;
                    }
                    apply(chunk.events());
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

        private void apply(List<TrackedEventMessage<?>> batch) throws Exception {
            List<TrackedEventMessage<?>> mine = new ArrayList<>(batch.size());
            for (TrackedEventMessage<?> e : batch) {
                if (!handlersOf(e.getPayloadType()).isEmpty()) {
                    mine.add(e);
                }
            }
            if (mine.isEmpty()) {
                return;
            }
            UnitOfWork<?> uow = DefaultUnitOfWork.startAndGet(null);
            uow.attachTransaction(tx);
            uow.execute(() -> {
                for (TrackedEventMessage<?> e : mine) {
                    for (AnnotationEventHandlerAdapter h : handlersOf(e.getPayloadType())) {
                        try {
                            h.handle(e); // finds the matching handler itself; none: nothing done
                        } catch (Exception ex) {
                            throw new IllegalStateException("replaying event " + e.getIdentifier() + " failed", ex);
                        }
                    }
                }
            });
        }
    }

    /** Holds appends for the final catch-up and the swap, so no event falls between old and new tables. */
    private void swap(DataSource live, String liveSchema, String target, List<String> selected,
                      JdbcEventStorageEngine events, Replay replay, boolean keepOld, String stamp) throws Exception {
        String old = "old_" + stamp;
        try (Connection c = live.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("LOCK TABLE " + liveSchema + ".domain_event_entry IN EXCLUSIVE MODE");
                replay.run(new Reader(events, replay.position, null), null);
                s.execute("CREATE SCHEMA " + old);
                for (String table : tables(selected)) {
                    s.execute("ALTER TABLE " + liveSchema + "." + table + " SET SCHEMA " + old);
                    s.execute("ALTER TABLE " + target + "." + table + " SET SCHEMA " + liveSchema);
                }
                c.commit();
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
        if (!keepOld) {
            execute(live, "DROP SCHEMA " + old + " CASCADE");
        }
        execute(live, "DROP SCHEMA " + target + " CASCADE");
    }

    /**
     * Drops the non-unique indexes of these tables in the new schema (the projections look rows up by primary key
     * only, and unique indexes stay, so constraints hold during the replay) and returns their definitions.
     */
    private static List<String> dropSecondaryIndexes(DataSource ds, String schema, List<String> tables)
            throws SQLException {
        List<String> definitions = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (Connection c = ds.getConnection(); var ps = c.prepareStatement("SELECT i.relname, "
                + "pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                + "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
                + "WHERE n.nspname = ? AND t.relname = ANY (?) AND NOT x.indisunique AND NOT x.indisprimary "
                + "ORDER BY i.relname")) {
            ps.setString(1, schema);
            ps.setArray(2, c.createArrayOf("text", tables.toArray()));
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                    definitions.add(rs.getString(2));
                }
            }
            try (Statement s = c.createStatement()) {
                for (String name : names) {
                    s.execute("DROP INDEX " + schema + ".\"" + name + "\"");
                }
            }
        }
        return definitions;
    }

    /** Builds the deferred indexes (PostgreSQL sorts a large one with parallel workers). */
    private static void createIndexes(DataSource ds, List<String> definitions) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET maintenance_work_mem = '256MB'");
            for (String definition : definitions) {
                s.execute(definition);
            }
        }
    }

    private static List<String> tables(List<String> selected) {
        List<String> out = new ArrayList<>();
        selected.forEach(n -> out.addAll(PROJECTIONS.get(n)));
        return out;
    }

    /** The selected projections' handlers, by processing group. */
    private static Map<String, List<AnnotationEventHandlerAdapter>> handlers(ConfigurableApplicationContext ctx,
                                                                             Set<String> groups) {
        Map<String, List<AnnotationEventHandlerAdapter>> out = new LinkedHashMap<>();
        for (Object bean : ctx.getBeansWithAnnotation(ProcessingGroup.class).values()) {
            ProcessingGroup group = org.springframework.aop.support.AopUtils.getTargetClass(bean)
                    .getAnnotation(ProcessingGroup.class);
            if (group != null && groups.contains(group.value())) {
                out.computeIfAbsent(group.value(), g -> new ArrayList<>()).add(new AnnotationEventHandlerAdapter(bean));
            }
        }
        return out;
    }

    /** The event store as the application configures it (AxonConfiguration), upcasters included. */
    private JdbcEventStorageEngine eventStore(DataSource live, EventUpcasterChain upcasters) {
        Serializer serializer = JacksonSerializer.builder().objectMapper(AxonConfiguration.eventMapper())
                .revisionResolver(new AnnotationRevisionResolver()).build();
        return JdbcEventStorageEngine.builder()
                .connectionProvider(new DataSourceConnectionProvider(live))
                .upcasterChain(upcasters)
                .transactionManager(NoTransactionManager.INSTANCE)
                .eventSerializer(serializer)
                .snapshotSerializer(serializer)
                .schema(AxonConfiguration.eventSchemaDefinition())
                .dataType(byte[].class)
                .batchSize(READ_BATCH)
                .build();
    }

    private static long count(DataSource ds, String schema) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT COUNT(*) FROM " + schema + ".domain_event_entry");
            rs.next();
            return rs.getLong(1);
        }
    }

    private DataSource dataSource(String url) {
        DriverManagerDataSource ds = new DriverManagerDataSource(url);
        if (user != null) {
            ds.setUsername(user);
            ds.setPassword(password == null ? "" : password);
        }
        return ds;
    }

    /** The same database with a different search path (replacing any currentSchema parameter). */
    private String withSchema(String searchPath) {
        String base = jdbcUrl.replaceAll("([?&])currentSchema=[^&]*&?", "$1").replaceAll("[?&]$", "");
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + searchPath;
    }

    private static void execute(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

}
