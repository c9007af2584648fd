package com.catalytic.deploy.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.CatalyticApplication;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * Operator commands (`catalytic tenant plan` and the like) run on the service's machine with its data directory:
 * they must start while the service holds its usage journal, and leave the journal alone.
 */
class OperatorCommandJournalTest {

    @Test
    void anOperatorCommandStartsBesideTheRunningServiceAndLeavesItsJournalAlone() throws Exception {
        String schema = TestApp.newSchema();
        Path journal = Files.createTempDirectory("catalytic-journal-");
        TestApp service = TestApp.start(schema, Map.of("catalytic.metering.journal-dir", journal.toString()));
        try {
            String url = TestApp.pgUrl() + (TestApp.pgUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema;
            try (ConfigurableApplicationContext command = new SpringApplicationBuilder(CatalyticApplication.class)
                    .web(WebApplicationType.NONE).logStartupInfo(false)
                    .run("--spring.datasource.url=" + url, "--spring.datasource.username=" + TestApp.pgUser(),
                            "--spring.flyway.schemas=" + schema, "--REDIS_HOST=" + TestApp.redisHost(),
                            "--REDIS_PORT=" + TestApp.redisPort(),
                            "--catalytic.auth.key-dir=" + TestApp.KEY_DIR,
                            "--catalytic.metering.journal-dir=" + journal)) {
                assertThat(command.getBean(Environment.class).getProperty("catalytic.metering.journal"))
                        .isEqualTo("database");
            }
            // the service still has its journal: metered calls are still acknowledged
            Accounts.Account owner = Accounts.registerAndLogin(service.http(), "operator");
            assertThat(service.http().get("/api/me", Http.bearer(owner.accessToken())).status()).isEqualTo(200);
        } finally {
            service.close();
        }
    }
}
