package com.catalytic.deploy.cli;

import com.catalytic.deploy.CatalyticApplication;
import com.catalytic.deploy.config.ProductionConfigCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the HTTP service (the embedded default when DATABASE_URL is unset).")
public class ServeCommand implements Callable<Integer> {

    @Unmatched
    List<String> springArgs = new ArrayList<>();

    @Override
    public Integer call() {
        Map<String, String> env = System.getenv();
        List<String> problems = ProductionConfigCheck.problems(env);
        if (!problems.isEmpty()) {
            System.err.println("catalytic: refusing to start" + (ProductionConfigCheck.isProduction(env)
                    ? " with APP_ENV=production:" : ":"));
            problems.forEach(p -> System.err.println("  - " + p));
            return ConfigCommand.EX_CONFIG;
        }
        if (env.getOrDefault("APP_ENV", "").isBlank() && !env.getOrDefault("DATABASE_URL", "").isBlank()) {
            System.err.println("catalytic: warning: DATABASE_URL is set but APP_ENV is not: starting without the "
                    + "production checks (set APP_ENV=production; see catalytic config check)");
        }
        ConfigurableApplicationContext ctx = SpringApplication.run(CatalyticApplication.class,
                springArgs.toArray(String[]::new));
        if (ctx instanceof WebServerApplicationContext web) {
            String db = ctx.getEnvironment().getProperty("spring.datasource.url", "");
            String where = db.startsWith("jdbc:h2:file:") ? "embedded file " + db.substring("jdbc:h2:file:".length()).split(";")[0]
                    : db.startsWith("jdbc:h2:") ? "embedded" : "PostgreSQL";
            System.out.println("catalytic: listening on http://localhost:" + web.getWebServer().getPort()
                    + " (database: " + where + "); API docs at /docs");
        }
        return 0;
    }
}
