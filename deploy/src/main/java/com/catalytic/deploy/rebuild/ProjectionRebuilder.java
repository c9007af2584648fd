package com.catalytic.deploy.rebuild;

import com.catalytic.deploy.rebuild.EventStoreReader.Position;
import com.catalytic.projections.EventProcessingGroup;
import com.catalytic.projections.StoreLoad;
import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.axonframework.serialization.SerializedType;
import org.axonframework.serialization.upcasting.event.EventUpcasterChain;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Rebuilds read models by replaying the event store into fresh tables in a schema of their own, beside the live
 * ones. A full rebuild then swaps the new tables in atomically (one transaction, while appends are briefly held),
 * so readers never see a half-built table; with {@code asOf} the read models as they were at that instant stay in
 * their own schema for inspection or for restoring from. PostgreSQL only. The projections and their tables are
 * those {@link EventProcessingGroup} declares; reading is {@link EventStoreReader}'s, replaying {@link Replay}'s
 * and the schemas {@link RebuildSchemas}'.
 */
public class ProjectionRebuilder {

    /** The events a replay applied, and those it read (a point in time leaves out some it reads). */
    private record Counts(long applied, long read) {
    }

    public record Result(String schema, long events, long read, long millis, boolean swapped) {
        public double eventsPerSecond() {
            return millis == 0 ? events : events * 1000.0 / millis;
        }
    }

    /** One rebuild: what it rebuilds, from where, into where. */
    private record Run(List<EventProcessingGroup> projections, String liveSchema, String target, String stamp,
                       Instant asOf, boolean keepOld) {

        List<String> groups() {
            return projections.stream().map(EventProcessingGroup::groupName).toList();
        }

        List<String> tables() {
            return projections.stream().flatMap(g -> g.tables().stream()).toList();
        }

        /** The tables their projections fill in the database ({@code true}), or the others. */
        List<String> tables(boolean loadedInDatabase) {
            return projections.stream().filter(g -> g.storeLoad().isPresent() == loadedInDatabase)
                    .flatMap(g -> g.tables().stream()).toList();
        }

        List<StoreLoad> storeLoads() {
            return projections.stream().flatMap(g -> g.storeLoad().stream()).toList();
        }

        /**
         * Whether the loads in the database get a second connection, lent by the lanes' pool: a lane whose
         * projection loads in the database takes no connection until its load is done, so the pool can spare one
         * while another lane is left to use it.
         */
        boolean lendsLoadConnection() {
            return !storeLoads().isEmpty() && projections.size() > 1;
        }

        /** The connections of the replay lanes' pool: one per lane, less the one lent to the loads. */
        int poolSize() {
            return projections.size() - (lendsLoadConnection() ? 1 : 0);
        }

        /** What the projections see: the target schema first (what they write), then the live one (the events). */
        List<String> searchPath() {
            return List.of(target, liveSchema);
        }

        /** The instant in the event store's format, or null. */
        String asOfStamp() {
            return asOf == null ? null : EventStoreReader.stamp(asOf);
        }

        String oldSchema() {
            return "old_" + stamp;
        }
    }

    private final Database database;
    private final PrintStream out;
    private final boolean progress;

    public ProjectionRebuilder(String jdbcUrl, String user, String password, PrintStream out, boolean progress) {
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("projections rebuild needs PostgreSQL (DATABASE_URL); the embedded "
                    + "H2 default has no rebuild (see docs/OPERATIONS.md, \"Rollback\")");
        }
        this.database = new Database(jdbcUrl, user, password);
        this.out = out;
        this.progress = progress;
    }

    /**
     * Rebuilds the projections named (all when none are), swapping them in, or with {@code asOf} builds them as of
     * that instant in a schema of their own.
     */
    public Result rebuild(List<String> names, Instant asOf, boolean keepOld) throws Exception {
        List<EventProcessingGroup> selected = select(names);
        Phases phases = new Phases();
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        String target = (asOf == null ? "rebuild_" : "asof_") + stamp;
        // every connection of the rebuild carries its name, so an operator sees them in pg_stat_activity, and ends
        // with the command
        Database named = database.named("catalytic-" + target).checkingClient();
        try (RebuildSchemas schemas = new RebuildSchemas(named)) {
            Run run = new Run(selected, schemas.liveSchema(), target, stamp, asOf, keepOld);
            // the context takes seconds whatever the size of the store: it starts while the schema is made and the
            // loads in the database begin
            try (RebuildContext.Starting context = RebuildContext.startInBackground(named,
                    String.join(",", run.searchPath()), run.poolSize())) {
                schemas.create(run.target());
                // the new tables are filled faster without their secondary indexes, built in one pass once filled
                List<String> loadedIndexes = schemas.dropSecondaryIndexes(run.target(), run.tables(true));
                List<String> deferredIndexes = schemas.dropSecondaryIndexes(run.target(), run.tables(false));
                out.println("Rebuilding " + run.groups() + " from the event store of schema " + run.liveSchema()
                        + " into " + run.target() + (asOf != null ? " as of " + asOf : ""));
                phases.end("schema");
                Counts counts = replay(named, run, schemas, context, loadedIndexes, deferredIndexes, phases);
                Result result = new Result(run.target(), counts.applied(), counts.read(), phases.elapsed(),
                        asOf == null);
                report(run, result, phases);
                return result;
            } catch (Exception e) {
                // the live tables are as they were (a swap is all or nothing); the rebuild's own schema goes too
                try {
                    schemas.dropIfExists(run.target());
                } catch (SQLException dropFailure) {
                    e.addSuppressed(dropFailure);
                }
                throw e;
            }
        }
    }

    /**
     * The most connections a rebuild of these projections holds at once: one per projection (its replay lane; while
     * the loads in the database run, one of them is theirs), one to read the event store and one for the schema
     * work.
     */
    public static int connections(int projections) {
        return projections + 2;
    }

    /**
     * Loads and replays into the target schema, builds its deferred indexes and, unless {@code asOf}, swaps it in.
     * The projections' loads in the database (then their tables' indexes) run on the schema connection, and on one
     * the lanes' pool lends them, from before the context is up until they are done, beside the replay of the other
     * events.
     */
    private Counts replay(Database named, Run run, RebuildSchemas schemas, RebuildContext.Starting context,
                          List<String> loadedIndexes, List<String> deferredIndexes, Phases phases) throws Exception {
        // the event store reads on one connection of its own, kept open for the whole replay
        try (SingleConnectionDataSource eventSource = named.singleConnection()) {
            EventStoreReader store = new EventStoreReader(eventSource, new EventUpcasterChain());
            // the replay and the projections loading their own events in the database see one snapshot of the store
            String snapshot = store.beginSnapshot();
            // a point in time is read up to its last event only: an auditor's look at last week's prefix of the
            // store costs the prefix, not the store
            long last = run.asOf() == null ? store.lastPosition() : store.lastPositionAt(run.asOf());
            List<StoreLoad> loads = run.storeLoads();
            Set<SerializedType> loadedInDatabase = loads.stream().flatMap(l -> l.payloadTypes().stream())
                    .map(store::stored).collect(Collectors.toSet());
            // counted before the load starts: nothing after that may fail without waiting for it
            long events = progress ? store.countUpTo(last) : 0;
            FutureTask<Long> databaseLoads = Background.start("rebuild-database-load", () -> {
                if (!run.lendsLoadConnection()) {
                    return schemas.loadFromStore(snapshot, run.searchPath(), loads, store.payloads(), last,
                            run.asOfStamp(), loadedIndexes, null);
                }
                try (SingleConnectionDataSource helper = named.singleConnection()) {
                    return schemas.loadFromStore(snapshot, run.searchPath(), loads, store.payloads(), last,
                            run.asOfStamp(), loadedIndexes, helper);
                }
            });
            Map<String, Future<?>> loading = run.projections().stream().filter(g -> g.storeLoad().isPresent())
                    .collect(Collectors.toMap(EventProcessingGroup::groupName, g -> databaseLoads));
            try (ProgressBar bar = progress ? progressBar(events) : null) {
                Replay replay;
                EventStoreReader reader;
                Set<SerializedType> passedBy;
                try {
                    ConfigurableApplicationContext ctx = context.get();
                    phases.end("context");
                    replay = Replay.of(ctx, Set.copyOf(run.groups()), loading);
                    reader = store.withUpcasters(RebuildContext.upcasters(ctx));
                    passedBy = replay.passedBy().stream().map(store::stored).collect(Collectors.toSet());
                    replay.run(reader.readFrom(Position.START, last, run.asOf(), union(loadedInDatabase, passedBy)),
                            bar);
                } catch (Exception e) {
                    // never left running behind a failure: it works on the schema connection
                    try {
                        Background.await(databaseLoads);
                    } catch (Exception loadFailure) {
                        e.addSuppressed(loadFailure);
                    }
                    throw e;
                }
                Background.await(databaseLoads);
                reader.endSnapshot();
                phases.end("replay");
                schemas.createIndexes(deferredIndexes);
                phases.end("indexes");
                if (run.asOf() == null) {
                    // what was appended during the replay (it read one snapshot), before appends are held: the held
                    // catch-up then has only the last moment's events to apply
                    replay.run(reader.readFrom(replay.position(), EventStoreReader.TO_THE_END, null, passedBy), null);
                    schemas.swapIn(run.liveSchema(), run.target(), run.tables(),
                            () -> replay.run(reader.readFrom(replay.position(), EventStoreReader.TO_THE_END, null,
                                    passedBy), null),
                            run.oldSchema(), run.keepOld());
                    phases.end("catch-up and swap");
                }
                return new Counts(replay.count(), replay.read());
            }
        }
    }

    private static <T> Set<T> union(Set<T> a, Set<T> b) {
        Set<T> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private void report(Run run, Result result, Phases phases) {
        out.printf("%d events replayed in %.1f s (%.0f events/s); %d events of the store read%n", result.events(),
                result.millis() / 1000.0, result.eventsPerSecond(), result.read());
        out.println("  of which " + phases.summary());
        if (run.asOf() == null) {
            out.println("Swapped in: " + run.tables() + (run.keepOld() ? " (previous tables kept in schema "
                    + run.oldSchema() + ")" : ""));
        } else {
            out.println("Read models as of " + run.asOf() + " are in schema " + run.target() + " (SET search_path TO "
                    + run.target() + "); the live tables are untouched. Drop it with: DROP SCHEMA " + run.target()
                    + " CASCADE");
        }
    }

    private static ProgressBar progressBar(long events) {
        return new ProgressBarBuilder().setTaskName("rebuild").setInitialMax(events).setUnit(" events", 1)
                .showSpeed().setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build();
    }

    /** The projections named, in that order; all of them, in declaration order, when none are. */
    private static List<EventProcessingGroup> select(List<String> names) {
        if (names == null || names.isEmpty()) {
            return EventProcessingGroup.projections();
        }
        List<EventProcessingGroup> selected = new ArrayList<>();
        for (String name : names) {
            selected.add(EventProcessingGroup.named(name).filter(EventProcessingGroup::isProjection)
                    .orElseThrow(() -> new IllegalArgumentException("unknown projection '" + name + "'; known: "
                            + EventProcessingGroup.projections().stream().map(EventProcessingGroup::groupName)
                            .toList())));
        }
        return selected;
    }

}
