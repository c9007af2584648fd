package com.catalytic.deploy.cli;

import com.catalytic.deploy.config.EnvFile;
import com.catalytic.deploy.config.ProductionConfigCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "config", mixinStandardHelpOptions = true, description = "Configuration checks.",
        subcommands = ConfigCommand.Check.class)
public class ConfigCommand {

    /** Exit code of a configuration that would not start (sysexits EX_CONFIG), as {@code serve} uses. */
    static final int EX_CONFIG = 78;

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check a production configuration without starting anything: exit 0, or 78 with one "
                    + "line per problem. The service runs the same checks when it starts with APP_ENV=production.")
    public static class Check implements Callable<Integer> {

        @Option(names = "--env-file", paramLabel = "FILE",
                description = "the environment file to check (e.g. /etc/catalytic/.env.production); "
                        + "default: this process's environment")
        Path envFile;

        @Override
        public Integer call() throws IOException {
            Map<String, String> env;
            List<String> problems = new ArrayList<>();
            String source;
            if (envFile != null) {
                if (!Files.isReadable(envFile)) {
                    System.err.println("catalytic config check: cannot read " + envFile);
                    return EX_CONFIG;
                }
                EnvFile file = EnvFile.read(envFile);
                env = file.values();
                problems.addAll(file.problems());
                source = envFile.toString();
            } else {
                env = System.getenv();
                source = "the environment";
            }
            problems.addAll(ProductionConfigCheck.checkAsProduction(env));
            if (problems.isEmpty()) {
                System.out.println("configuration OK: " + source + " passes every production check");
                return 0;
            }
            problems.forEach(System.out::println);
            System.err.println(problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + " in " + source);
            return EX_CONFIG;
        }
    }
}
