package com.catalytic.deploy.cli;

import com.catalytic.deploy.config.DatabaseUrl;
import com.catalytic.deploy.config.RuntimeEnvironment;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "db", mixinStandardHelpOptions = true, description = "Database administration.",
        subcommands = {DbMigrateCommand.Migrate.class, DbMigrateCommand.Copy.class, DbMigrateCommand.GrantAnalytics.class})
public class DbMigrateCommand {

    @Command(name = "migrate", mixinStandardHelpOptions = true, description = "Apply pending migrations to DATABASE_URL (or the embedded database).")
    public static class Migrate implements Callable<Integer> {

        @Override
        public Integer call() {
            DatabaseUrl db = DatabaseUrl.forCommand(null);
            MigrateResult result = Flyway.configure()
                    .dataSource(db.jdbcUrl(), db.username(), db.password())
                    .locations(RuntimeEnvironment.MIGRATION_LOCATIONS.split(","))
                    .load()
                    .migrate();
            String version = result.targetSchemaVersion != null ? result.targetSchemaVersion
                    : result.initialSchemaVersion;
            System.out.println("database is at version " + version + " (" + result.migrationsExecuted
                    + " migrations applied now)");
            return 0;
        }
    }

    @Command(name = "copy", mixinStandardHelpOptions = true,
            description = "Move the embedded database (CATALYTIC_DATA_DIR) to PostgreSQL: copy the events and what "
                    + "is not derived from them, rebuild the projections there, check the counts. The service must "
                    + "be stopped; the embedded database is only read.")
    public static class Copy implements Callable<Integer> {

        @Option(names = "--to", required = true, paramLabel = "DATABASE_URL",
                description = "the PostgreSQL database to fill (postgresql://user:password@host:5432/database); "
                        + "it must hold no events")
        String to;

        @Option(names = "--dry-run", description = "report what would be copied and any problem; change nothing")
        boolean dryRun;

        @Option(names = "--backup", description = "first copy the embedded database file beside it")
        boolean backup;

        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "the installation's data directory (default: $CATALYTIC_DATA_DIR, else ./data)")
        Path dataDir;

        @Override
        public Integer call() throws Exception {
            DatabaseUrl target;
            try {
                target = DatabaseUrl.parse(to);
            } catch (IllegalArgumentException e) {
                System.err.println("--to: " + e.getMessage());
                return 2;
            }
            if (!target.jdbcUrl().startsWith("jdbc:postgresql:")) {
                System.err.println("--to must be a PostgreSQL database (postgresql://…)");
                return 2;
            }
            Path dir = dataDir != null ? dataDir : Path.of(System.getenv().getOrDefault("CATALYTIC_DATA_DIR", "./data"));
            DbCopy copy = new DbCopy(dir, target, System.out);
            if (dryRun) {
                List<String> problems = copy.dryRun();
                problems.forEach(p -> System.out.println("problem: " + p));
                System.out.println(problems.isEmpty() ? "dry run: nothing changed; the copy can proceed"
                        : "dry run: nothing changed; " + problems.size() + " problem(s) would stop the copy");
                return problems.isEmpty() ? 0 : 1;
            }
            try {
                copy.copy(backup);
                System.out.println("done: set DATABASE_URL to the target (and APP_ENV=production), then start the "
                        + "service; the embedded database is unchanged");
                return 0;
            } catch (IllegalStateException e) {
                System.err.println("db copy failed: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "grant-analytics", mixinStandardHelpOptions = true,
            description = "Create (or reset) a read-only PostgreSQL role that may SELECT the analytical projections "
                    + "(usage_logs, audit_logs, audit_heads, subscriptions, lattices, lattice_operations) and "
                    + "nothing else: no credentials, sessions, event store, e-mail queue, Stripe payloads or webhook "
                    + "secrets. Grant it to the analysts' login roles (GRANT ROLE TO alice). See docs/READ_MODEL.md.")
    public static class GrantAnalytics implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "ROLE", description = "the role, e.g. catalytic_analytics")
        String role;

        @Option(names = "--database-url", paramLabel = "URL", description = "default: $DATABASE_URL")
        String databaseUrl;

        @Override
        public Integer call() {
            try {
                AnalyticsGrant.grant(DatabaseUrl.forCommand(databaseUrl), role, System.out);
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println("db grant-analytics: " + e.getMessage());
                return 2;
            } catch (SQLException e) {
                System.err.println("db grant-analytics failed: " + e.getMessage());
                return 1;
            }
        }
    }
}
