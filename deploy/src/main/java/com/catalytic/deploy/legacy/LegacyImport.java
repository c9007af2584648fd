package com.catalytic.deploy.legacy;

import com.catalytic.api.personal.PersonalData;
import com.catalytic.api.plan.PlanCatalogue;
import com.catalytic.deploy.CatalyticApplication;
import com.catalytic.deploy.config.DatabaseUrl;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * {@code catalytic import legacy}: the original Python service's SQLite database becomes this service's events
 * (docs/OPERATIONS.md §15). Each tenant of the original is written whole, in one transaction, with its ids, times
 * and password hashes, then its API call history page by page; rows that cannot be imported are listed with the
 * reason. A tenant imported by an earlier run is left alone (only history pages missing from an interrupted run
 * are added), so running it twice imports nothing twice. The source is only read.
 */
public final class LegacyImport {

    /** A dry run writes nothing, so it makes no keys: what it would seal is planned as it is and never stored. */
    private static final PersonalData DRY_RUN_SEAL = new PersonalData() {
        @Override
        public String seal(String subjectId, String value) {
            return value;
        }

        @Override
        public String open(String value) {
            return value;
        }

        @Override
        public void erase(String subjectId) {
            throw new UnsupportedOperationException("a dry run erases nothing");
        }
    };

    /** What a run did (or a dry run would do). {@code failed}: tenants that could not be written. */
    public record Outcome(int tenants, int alreadyImported, long rejected, long notCarriedOver, List<String> failed) {
    }

    private final Path file;
    private final DatabaseUrl target;
    private final PrintStream out;
    private final PlanCatalogue plans;

    public LegacyImport(Path file, DatabaseUrl target, PrintStream out, PlanCatalogue plans) {
        this.file = file;
        this.target = target;
        this.out = out;
        this.plans = plans;
    }

    /** The file a {@code --source} names ({@code sqlite:///relative.db}, {@code sqlite:////absolute.db}). */
    public static Path sourceFile(String source) {
        return LegacySource.pathOf(source);
    }

    /** Reads and checks everything, lists what would be rejected; changes nothing anywhere. */
    public Outcome dryRun() throws SQLException {
        try (LegacySource source = LegacySource.open(file)) {
            describe(source);
            TargetState state = TargetState.EMPTY;
            if (eventStoreExists()) {
                state = new JdbcTargetState(new JdbcTemplate(new DriverManagerDataSource(target.jdbcUrl(),
                        target.username(), target.password())));
            } else {
                out.println("target: " + target + " holds no event store yet; the import migrates it first");
            }
            ImportPlanner planner = new ImportPlanner(source, state, plans, DRY_RUN_SEAL).plan();
            try (ProgressBar bar = progressBar("dry run", planner.imports().size())) {
                for (TenantImport t : planner.imports()) {
                    planner.usage(t, records -> { });
                    bar.step();
                }
            }
            planner.usageNotImported();
            return report(planner, Map.of(), true);
        }
    }

    /**
     * Starts the service's command side on the target (migrating it), then publishes tenant by tenant through its
     * event store; reports what was imported and what was not.
     */
    public Outcome run() throws SQLException {
        try (LegacySource source = LegacySource.open(file);
             ConfigurableApplicationContext ctx = new SpringApplicationBuilder(CatalyticApplication.class)
                     .web(WebApplicationType.NONE).logStartupInfo(false).properties(target.datasourceProperties()).run()) {
            describe(source);
            EventPublisher publisher = new EventPublisher(ctx.getBean(EventStore.class),
                    ctx.getBean(TransactionManager.class), ctx.getBean(JdbcTemplate.class));
            ImportPlanner planner = new ImportPlanner(source, publisher.state(), plans,
                    ctx.getBean(PersonalData.class)).plan();
            Map<String, String> failed = new LinkedHashMap<>();
            try (ProgressBar bar = progressBar("import", planner.imports().size())) {
                for (TenantImport t : planner.imports()) {
                    write(planner, publisher, t, failed);
                    bar.step();
                }
            }
            planner.usageNotImported();
            return report(planner, failed, false);
        }
    }

    /** Writes the tenant; a failure is kept in {@code failed} (tenant id to what happened) and the run goes on. */
    private static void write(ImportPlanner planner, EventPublisher publisher, TenantImport t,
                              Map<String, String> failed) {
        try {
            if (!t.alreadyImported) {
                publisher.tenant(t);
            }
            planner.usage(t, records -> publisher.usage(t, records));
        } catch (SQLException | RuntimeException e) {
            failed.put(t.tenantId, "tenant " + t.tenantId + " (" + t.name + ") was not written"
                    + (t.alreadyImported ? " completely" : ", nothing of it is stored") + ": " + e.getMessage());
        }
    }

    private void describe(LegacySource source) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : LegacySource.TABLES) {
            if (source.has(table)) {
                counts.put(table, source.count(table));
            }
        }
        out.println("source: " + source.file().toAbsolutePath() + " (" + counts.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")) + ")");
    }

    /** Whether the target holds an event store yet; throws when it cannot be reached at all. */
    private boolean eventStoreExists() throws SQLException {
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), target.username(), target.password())) {
            try (Statement s = c.createStatement()) {
                s.executeQuery("SELECT 1 FROM domain_event_entry WHERE 1 = 0").close();
                return true;
            } catch (SQLException e) {
                return false;
            }
        } catch (SQLException e) {
            throw new SQLException("cannot connect to the target " + target + ": " + e.getMessage(), e);
        }
    }

    private Outcome report(ImportPlanner planner, Map<String, String> failed, boolean dryRun) {
        List<Rejection> rejected = planner.rejections().stream().filter(Rejection::rejected).toList();
        List<Rejection> skipped = planner.rejections().stream().filter(r -> !r.rejected()).toList();
        out.println("rejected: " + rejected.size() + " rows");
        rejected.forEach(r -> out.println("  " + r.line()));
        out.println("not carried over: " + skipped.size() + " rows");
        skipped.forEach(r -> out.println("  " + r.line()));
        List<TenantImport> written = planner.imports().stream().filter(t -> !t.alreadyImported)
                .filter(t -> !failed.containsKey(t.tenantId)).toList();
        Map<String, Long> rows = new LinkedHashMap<>();
        written.forEach(t -> t.rows.forEach((table, n) -> rows.merge(table, n, Long::sum)));
        out.println((dryRun ? "would import: " : "imported: ") + written.size() + " tenants ("
                + rows.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))
                + ")");
        if (!planner.alreadyImported().isEmpty()) {
            out.println("already imported by an earlier run, left alone: " + planner.alreadyImported().size()
                    + " tenants");
        }
        failed.values().forEach(f -> out.println("failed: " + f));
        return new Outcome(written.size(), planner.alreadyImported().size(), rejected.size(), skipped.size(),
                List.copyOf(failed.values()));
    }

    private static ProgressBar progressBar(String task, int tenants) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(tenants).setUnit(" tenants", 1)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
    }
}
