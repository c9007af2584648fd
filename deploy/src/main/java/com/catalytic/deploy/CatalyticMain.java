package com.catalytic.deploy;

import com.catalytic.deploy.cli.AuditCommand;
import com.catalytic.deploy.cli.ConfigCommand;
import com.catalytic.deploy.cli.DbMigrateCommand;
import com.catalytic.deploy.cli.EmailCommand;
import com.catalytic.deploy.cli.ImportCommand;
import com.catalytic.deploy.cli.KeysCommand;
import com.catalytic.deploy.cli.ProjectionsCommand;
import com.catalytic.deploy.cli.StripeCommand;
import com.catalytic.deploy.cli.TenantCommand;
import com.catalytic.deploy.cli.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one executable: {@code catalytic serve}, and the operator commands (see {@code --help}). Without a command it
 * serves.
 */
@Command(name = "catalytic", mixinStandardHelpOptions = true, version = "catalytic 1.0.0",
        description = "Catalytic Computing SaaS backend and operator commands.",
        subcommands = {ServeCommand.class, ConfigCommand.class, KeysCommand.class, DbMigrateCommand.class, AuditCommand.class,
                ProjectionsCommand.class, TenantCommand.class, EmailCommand.class, StripeCommand.class,
                ImportCommand.class})
public class CatalyticMain {

    public static void main(String[] args) {
        String[] effective = args.length == 0 ? new String[] {"serve"} : args;
        CommandLine cli = new CommandLine(new CatalyticMain());
        int code = cli.execute(effective);
        if (code != 0 || !"serve".equals(effective[0])) {
            System.exit(code);
        }
    }
}
