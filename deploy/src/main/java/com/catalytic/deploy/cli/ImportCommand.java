package com.catalytic.deploy.cli;

import com.catalytic.api.plan.PlanCatalogue;
import com.catalytic.deploy.config.DatabaseUrl;
import com.catalytic.deploy.legacy.LegacyImport;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "import", mixinStandardHelpOptions = true, description = "Bring data from elsewhere into events.",
        subcommands = {ImportCommand.Legacy.class})
public class ImportCommand {

    @Command(name = "legacy", mixinStandardHelpOptions = true,
            description = "Import the original Python service's SQLite database: tenants, users (their bcrypt "
                    + "passwords keep working and are upgraded at the next login), the current plan, API keys, "
                    + "lattices and their computations, and the API call history, with their ids and times. Each "
                    + "tenant is written whole or not at all; rows that cannot be imported are listed with the "
                    + "reason. Running it again imports only the tenants not imported yet.")
    public static class Legacy implements Callable<Integer> {

        @Option(names = "--source", required = true, paramLabel = "sqlite:///PATH",
                description = "the original database: sqlite:///relative/path.db or sqlite:////absolute/path.db")
        String source;

        @Option(names = "--dry-run", description = "read and check everything, list every row that would be "
                + "rejected and why; change nothing")
        boolean dryRun;

        @Option(names = "--backup", description = "back up the target database first (pg_dump, or a copy of the "
                + "embedded database file)")
        boolean backup;

        @Option(names = "--backup-dir", paramLabel = "DIR",
                description = "where --backup writes (default: $BACKUP_DIR, else ./backups)")
        Path backupDir;

        @Option(names = "--database-url", paramLabel = "URL",
                description = "the installation to fill (default: $DATABASE_URL, else the embedded database)")
        String databaseUrl;

        @Override
        public Integer call() throws InterruptedException {
            Path file;
            DatabaseUrl target;
            try {
                file = LegacyImport.sourceFile(source);
                target = DatabaseUrl.forCommand(databaseUrl);
            } catch (IllegalArgumentException e) {
                System.err.println("import legacy: " + e.getMessage());
                return 2;
            }
            LegacyImport job = new LegacyImport(file, target, System.out, PlanCatalogue.defaults());
            try {
                if (dryRun) {
                    LegacyImport.Outcome o = job.dryRun();
                    System.out.println("dry run: nothing changed");
                    return o.failed().isEmpty() ? 0 : 1;
                }
                if (backup) {
                    Path dir = backupDir != null ? backupDir
                            : Path.of(System.getenv().getOrDefault("BACKUP_DIR", "./backups"));
                    System.out.println("backup of the target: " + Backups.before("import", target, dir));
                }
                LegacyImport.Outcome o = job.run();
                System.out.println(o.failed().isEmpty() ? "done" : "done, but " + o.failed().size()
                        + " tenant(s) could not be written (listed above); run it again after fixing the cause");
                return o.failed().isEmpty() ? 0 : 1;
            } catch (IllegalArgumentException e) {
                System.err.println("import legacy: " + e.getMessage());
                return 2;
            } catch (IOException | SQLException | RuntimeException e) {
                System.err.println("import legacy failed: " + e.getMessage());
                return 1;
            }
        }
    }
}
