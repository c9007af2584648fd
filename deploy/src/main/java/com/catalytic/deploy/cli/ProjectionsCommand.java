package com.catalytic.deploy.cli;

import com.catalytic.deploy.config.DatabaseUrl;
import com.catalytic.deploy.rebuild.ProjectionRebuilder;
import com.catalytic.projections.EventProcessingGroup;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "projections", mixinStandardHelpOptions = true, description = "Read-model maintenance.",
        subcommands = ProjectionsCommand.Rebuild.class)
public class ProjectionsCommand {

    @Command(name = "rebuild", mixinStandardHelpOptions = true,
            description = "Replay the event store into fresh read tables built beside the live ones, then swap them "
                    + "in atomically. With --as-of, build the read models as they were at that instant into a "
                    + "separate schema instead (the live tables are untouched). PostgreSQL only.")
    public static class Rebuild implements Callable<Integer> {

        @Parameters(arity = "0..*", paramLabel = "NAME", completionCandidates = ProjectionNames.class,
                description = "projections to rebuild (default: all): ${COMPLETION-CANDIDATES}")
        List<String> names = new ArrayList<>();

        @Option(names = "--as-of", paramLabel = "TIME", description = "ISO-8601 UTC instant, e.g. 2026-11-01T00:00:00Z")
        String asOf;

        @Option(names = "--keep-old", description = "keep the replaced tables in schema old_<timestamp>")
        boolean keepOld;

        @Option(names = "--no-progress", description = "no progress bar (for logs)")
        boolean noProgress;

        @Option(names = "--database-url", description = "default: $DATABASE_URL")
        String databaseUrl;

        @Override
        public Integer call() throws Exception {
            String url = databaseUrl != null ? databaseUrl : System.getenv().getOrDefault("DATABASE_URL", "");
            if (url.isBlank()) {
                System.err.println("projections rebuild needs DATABASE_URL (PostgreSQL)");
                return 2;
            }
            Instant at = null;
            if (asOf != null) {
                try {
                    at = Instant.parse(asOf);
                } catch (DateTimeParseException e) {
                    System.err.println("--as-of must be an ISO-8601 UTC instant, e.g. 2026-11-01T00:00:00Z");
                    return 2;
                }
            }
            DatabaseUrl db = DatabaseUrl.parse(url);
            try {
                new ProjectionRebuilder(db.jdbcUrl(), db.username(), db.password(), System.out, !noProgress)
                        .rebuild(names, at, keepOld);
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                return 2;
            } catch (Exception e) {
                // the trace follows (picocli prints it); first what it means for the operator
                System.err.println("projections rebuild failed; the live tables are as they were: " + e.getMessage());
                throw e;
            }
        }
    }

    /** The names {@code projections rebuild} takes, as {@link EventProcessingGroup} declares them. */
    static final class ProjectionNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return EventProcessingGroup.projections().stream().map(EventProcessingGroup::groupName).iterator();
        }
    }
}
