package com.catalytic.deploy.cli;

import com.catalytic.deploy.config.DatabaseUrl;
import com.catalytic.projections.audit.AuditVerifier;
import com.catalytic.projections.audit.AuditVerifier.Result;
import java.util.List;
import java.util.concurrent.Callable;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "audit", mixinStandardHelpOptions = true, description = "Audit trail tools.",
        subcommands = AuditCommand.Verify.class)
public class AuditCommand {

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Re-hash the audit chains from the rows' content and report the first broken link. "
                    + "Exit code 0 when every chain is intact, 1 otherwise.")
    public static class Verify implements Callable<Integer> {

        @Option(names = "--tenant", description = "verify one tenant (default: every tenant)")
        String tenant;

        @Option(names = "--database-url", description = "default: $DATABASE_URL, else the embedded database")
        String databaseUrl;

        @Override
        public Integer call() {
            DatabaseUrl db = DatabaseUrl.forCommand(databaseUrl);
            // one connection for all the verifier's pages
            SingleConnectionDataSource ds = new SingleConnectionDataSource(db.jdbcUrl(), true);
            if (db.username() != null) {
                ds.setUsername(db.username());
                ds.setPassword(db.password());
            }
            List<Result> results;
            try {
                AuditVerifier verifier = new AuditVerifier(ds);
                results = tenant != null ? List.of(verifier.verify(tenant)) : verifier.verifyAll();
            } finally {
                ds.destroy();
            }
            boolean allValid = true;
            for (Result r : results) {
                if (r.valid()) {
                    System.out.println("OK      tenant " + r.tenantId() + ": " + r.checked() + " entries, head "
                            + r.headHash());
                } else {
                    allValid = false;
                    System.out.println("BROKEN  tenant " + r.tenantId() + ": entry " + r.firstBroken().seq()
                            + (r.firstBroken().id() != null ? " (" + r.firstBroken().id() + ")" : "") + ": "
                            + r.firstBroken().reason() + "; " + r.checked() + " entries intact before it");
                }
            }
            System.out.println(results.size() + " chain(s) checked, " + (allValid ? "all intact" : "BROKEN"));
            return allValid ? 0 : 1;
        }
    }
}
