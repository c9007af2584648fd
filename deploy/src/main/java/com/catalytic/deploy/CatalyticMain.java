package com.catalytic.deploy;

import com.catalytic.deploy.cli.AuditCommand;
import com.catalytic.deploy.cli.ConfigCommand;
import com.catalytic.deploy.cli.DbMigrateCommand;
import com.catalytic.deploy.cli.EmailCommand;
import com.catalytic.deploy.cli.GdprCommand;
import com.catalytic.deploy.cli.ImportCommand;
import com.catalytic.deploy.cli.KeysCommand;
import com.catalytic.deploy.cli.ProjectionsCommand;
import com.catalytic.deploy.cli.StripeCommand;
import com.catalytic.deploy.cli.TenantCommand;
import com.catalytic.deploy.cli.ServeCommand;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one executable: {@code catalytic serve}, and the operator commands (see {@code --help}). Without a command it
 * serves, with any options given ({@code java -jar catalytic.jar --server.port=9000}).
 */
@Command(name = "catalytic", mixinStandardHelpOptions = true, version = "catalytic 1.0.0",
        description = "Catalytic Computing SaaS backend and operator commands.",
        subcommands = {ServeCommand.class, ConfigCommand.class, KeysCommand.class, DbMigrateCommand.class, AuditCommand.class,
                ProjectionsCommand.class, TenantCommand.class, EmailCommand.class, StripeCommand.class,
                ImportCommand.class, GdprCommand.class})
public class CatalyticMain {

    /** The options of the command line itself; any other option without a command is the service's. */
    private static final Set<String> OWN_OPTIONS = Set.of("-h", "--help", "-V", "--version");

    public static void main(String[] args) {
        String[] effective = withCommand(args);
        CommandLine cli = new CommandLine(new CatalyticMain());
        int code = cli.execute(effective);
        if (code != 0 || !"serve".equals(effective[0])) {
            System.exit(code);
        }
    }

    /**
     * The arguments as the command line reads them: none, or options only (Spring Boot's
     * {@code java -jar catalytic.jar --server.port=9000}), mean {@code serve} with those options.
     */
    static String[] withCommand(String[] args) {
        if (args.length > 0 && (!args[0].startsWith("-") || OWN_OPTIONS.contains(args[0]))) {
            return args;
        }
        String[] serve = new String[args.length + 1];
        serve[0] = "serve";
        System.arraycopy(args, 0, serve, 1, args.length);
        return serve;
    }
}
