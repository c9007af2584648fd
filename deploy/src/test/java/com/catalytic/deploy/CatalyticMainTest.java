package com.catalytic.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.ChildApp;
import com.catalytic.deploy.support.TestApp;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spring Boot's convention: {@code java -jar catalytic.jar --server.port=9000}, options without a command, serves. */
class CatalyticMainTest {

    @TempDir
    Path dir;

    @Test
    void optionsWithoutACommandMeanServe() {
        assertThat(CatalyticMain.withCommand(new String[0])).containsExactly("serve");
        assertThat(CatalyticMain.withCommand(new String[] {"--server.port=9000", "--spring.main.banner-mode=off"}))
                .containsExactly("serve", "--server.port=9000", "--spring.main.banner-mode=off");
        // a command, and the command line's own options, stay as they are
        assertThat(CatalyticMain.withCommand(new String[] {"tenant", "plan", "t1", "starter"}))
                .containsExactly("tenant", "plan", "t1", "starter");
        assertThat(CatalyticMain.withCommand(new String[] {"serve", "--server.port=1"}))
                .containsExactly("serve", "--server.port=1");
        assertThat(CatalyticMain.withCommand(new String[] {"--help"})).containsExactly("--help");
        assertThat(CatalyticMain.withCommand(new String[] {"-V"})).containsExactly("-V");
    }

    @Test
    void theServiceStartsFromOptionsAlone() throws Exception {
        String schema = TestApp.newSchema();
        try (ChildApp node = ChildApp.start(schema, dir, List.of(), Map.of(), List.of())) {
            assertThat(node.http().get("/health").status()).isEqualTo(200);
            assertThat(node.http().get("/api/plans").status()).isEqualTo(200);
        } finally {
            TestApp.adminJdbc().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
