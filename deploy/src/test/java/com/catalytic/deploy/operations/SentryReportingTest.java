package com.catalytic.deploy.operations;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.ChildApp;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Error reporting through Sentry's own client, to a local stand-in for Sentry's ingestion endpoint: a server fault
 * (a metered call whose usage cannot be recorded: 503, logged at ERROR) becomes an event with the configured
 * environment, and nothing of the request's credentials or the caller's personal data is in what is sent. The
 * service runs in a JVM of its own (Sentry's client is a process-wide singleton).
 */
class SentryReportingTest {

    static final String SCHEMA = TestApp.newSchema();
    static final List<String> envelopes = new CopyOnWriteArrayList<>();
    static HttpServer sentry;

    @TempDir
    static Path dir;

    @BeforeAll
    static void fakeSentry() throws IOException {
        sentry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        sentry.createContext("/api/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
            if ("gzip".equalsIgnoreCase(encoding)) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                    body = in.readAllBytes();
                }
            }
            envelopes.add(exchange.getRequestURI().getPath() + "\n" + new String(body, StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        sentry.start();
    }

    @AfterAll
    static void stop() {
        sentry.stop(0);
        TestApp.adminJdbc().execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }

    @Test
    void aServerFaultIsReportedWithoutCredentialsOrPersonalData() throws Exception {
        String dsn = "http://0123456789abcdef@127.0.0.1:" + sentry.getAddress().getPort() + "/42";
        try (ChildApp app = ChildApp.start(SCHEMA, dir, List.of(), Map.of(
                "SENTRY_DSN", dsn,
                "SENTRY_ENVIRONMENT", "staging-eu",
                // every metered call fails to be recorded: 503, and an ERROR in the log
                "catalytic.metering.max-backlog", "0"))) {
            Http http = app.http();
            Account owner = Accounts.registerAndLogin(http, "sentry");
            Http.Response fault = http.get("/api/me?email=" + owner.email(), bearer(owner.accessToken()));
            assertThat(fault.status()).as(fault.toString()).isEqualTo(503);
            assertThat(fault.text("code")).isEqualTo("usage_unavailable");

            await().atMost(Duration.ofSeconds(30)).until(() ->
                    envelopes.stream().anyMatch(e -> e.contains("could not be recorded")));
            String event = envelopes.stream().filter(e -> e.contains("could not be recorded")).findFirst().orElseThrow();
            assertThat(event).startsWith("/api/42/envelope/");
            assertThat(event).contains("\"environment\":\"staging-eu\"");
            assertThat(event).contains("/api/me");
            assertThat(event).doesNotContain(owner.accessToken())
                    .doesNotContain(owner.accessToken().substring(0, 30))
                    .doesNotContain(owner.email())
                    .doesNotContain(owner.refreshToken())
                    .doesNotContain("Bearer ")
                    .doesNotContain("127.0.0.1\"") // no client address (user.ip_address)
                    .doesNotContain(Accounts.PASSWORD);
        }
    }
}
