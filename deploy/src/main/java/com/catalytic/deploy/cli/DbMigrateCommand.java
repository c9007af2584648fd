package com.catalytic.deploy.cli;

import com.catalytic.deploy.config.DatabaseUrl;
import com.catalytic.deploy.config.RuntimeEnvironment;
import java.util.concurrent.Callable;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import picocli.CommandLine.Command;

@Command(name = "db", mixinStandardHelpOptions = true, description = "Database administration.", subcommands = DbMigrateCommand.Migrate.class)
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
}
