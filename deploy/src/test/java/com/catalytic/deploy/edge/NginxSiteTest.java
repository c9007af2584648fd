package com.catalytic.deploy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped nginx site, deploy/nginx/catalytic.conf, run by Debian's nginx over HTTPS in front of a running
 * instance. Only what must differ on a test machine is substituted (listen addresses, the upstream node,
 * certificate and log paths), each substitution checked to have found its text, so this tests the file operators
 * install. nginx is needed: .ci/run installs it.
 */
class NginxSiteTest {

    static final Path SITE = Path.of("nginx", "catalytic.conf");
    static final String WRONG_LOGIN = "{\"email\":\"nobody@example.com\",\"password\":\"not the password\"}";

    @TempDir
    static Path dir;

    static TestApp app;
    static Process nginx;
    static Http https;

    @BeforeAll
    static void start() throws Exception {
        String nginxBinary = executable("nginx").orElseThrow(() -> new AssertionError(
                "nginx is not installed: apt-get install nginx (.ci/run installs it)"));
        String openssl = executable("openssl").orElseThrow(() -> new AssertionError(
                "openssl is not installed: apt-get install openssl (.ci/run installs it)"));
        app = TestApp.start(TestApp.newSchema(), Map.of());

        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        run(List.of(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key.toString(), "-out",
                cert.toString()));

        int httpPort = freePort();
        int httpsPort = freePort();
        String site = Files.readString(SITE, StandardCharsets.UTF_8);
        site = substitute(site, "server 127.0.0.1:8000 ", "server 127.0.0.1:" + app.port() + " ");
        site = substitute(site, "    server 127.0.0.1:8001 max_fails=3 fail_timeout=10s;\n", "");
        site = substitute(site, "    listen 80;\n", "    listen 127.0.0.1:" + httpPort + ";\n");
        site = substitute(site, "    listen [::]:80;\n", "");
        site = substitute(site, "    listen 443 ssl http2;\n", "    listen 127.0.0.1:" + httpsPort + " ssl http2;\n");
        site = substitute(site, "    listen [::]:443 ssl http2;\n", "");
        site = substitute(site, "/etc/letsencrypt/live/api.example.com/fullchain.pem", cert.toString());
        site = substitute(site, "/etc/letsencrypt/live/api.example.com/privkey.pem", key.toString());
        site = substitute(site, "/var/log/nginx/catalytic.access.log", dir.resolve("access.log").toString());
        site = substitute(site, "/var/log/nginx/catalytic.error.log", dir.resolve("site-error.log").toString());
        Files.writeString(dir.resolve("catalytic.conf"), site);
        // the main configuration an nginx package provides around a site, with every path in the test's directory
        Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
                "root".equals(System.getProperty("user.name")) ? "user root;" : "",
                "worker_processes 1;",
                "daemon off;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("error.log") + " info;",
                "events { worker_connections 256; }",
                "http {",
                "    default_type application/octet-stream;",
                "    client_body_temp_path " + dir.resolve("client_body") + ";",
                "    proxy_temp_path " + dir.resolve("proxy") + ";",
                "    fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                "    uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                "    scgi_temp_path " + dir.resolve("scgi") + ";",
                "    include " + dir.resolve("catalytic.conf") + ";",
                "}", ""));
        List<String> command = List.of(nginxBinary, "-p", dir + "/", "-e", dir.resolve("startup.log").toString(),
                "-c", dir.resolve("nginx.conf").toString());
        List<String> test = new ArrayList<>(command);
        test.add("-t");
        assertThat(run(test)).contains("test is successful");

        nginx = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile()).start();
        https = new Http("https://127.0.0.1:" + httpsPort, HttpClient.newBuilder()
                .sslContext(trusting(cert)).connectTimeout(Duration.ofSeconds(5)).build());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .untilAsserted(() -> {
                    assertThat(nginx.isAlive()).as("nginx is running (see %s)", dir.resolve("nginx.out")).isTrue();
                    assertThat(https.get("/health").status()).isEqualTo(200);
                });
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.destroy(); // SIGTERM: the master stops its workers
            if (!nginx.waitFor(20, TimeUnit.SECONDS)) {
                nginx.descendants().forEach(ProcessHandle::destroyForcibly);
                nginx.destroyForcibly();
            }
        }
        if (app != null) {
            app.close();
        }
    }

    @Test
    void plainRequestsReachTheApplication() {
        Response health = https.get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(answeredByTheApplication(health)).isTrue();
        Response login = https.post("/auth/login", WRONG_LOGIN);
        assertThat(login.status()).as("%s", login).isEqualTo(401);
        assertThat(login.text("code")).isEqualTo("invalid_credentials");
        assertThat(https.get("/api/plans").status()).isEqualTo(200);
        // ';' in the query string is not a path parameter
        assertThat(https.get("/health?probe=a;b").status()).isEqualTo(200);
    }

    @Test
    void pathParametersAreRefusedBeforeAnyLocationIsChosen() {
        for (String path : List.of("/auth;x/login", "/auth/login;x", "/auth%3Bx/login", "/auth%3bx/login",
                "/%61uth;x/login", "/api;x/me", "/actuator;x/prometheus", "/actuator/prometheus;x", "/health;x")) {
            Response r = https.post(path, WRONG_LOGIN, "X-Request-ID", "edge-probe-1");
            assertThat(r.status()).as("%s: %s", path, r).isEqualTo(400);
            assertThat(r.header("Content-Type")).as(path).startsWith("application/problem+json");
            assertThat(r.text("code")).as(path).isEqualTo("invalid_path");
            assertThat(r.header("X-Request-ID")).as(path).isEqualTo("edge-probe-1");
            assertThat(r.text("request_id")).as(path).isEqualTo("edge-probe-1");
            assertThat(answeredByTheApplication(r)).as("%s answered by nginx itself", path).isFalse();
        }
    }

    @Test
    void metricsAreNotServedThroughNginx() {
        for (String path : List.of("/actuator/prometheus", "/actuator/info", "/%61ctuator/prometheus",
                "/auth/../actuator/prometheus", "/api/%2e%2e/actuator/prometheus", "//actuator/prometheus")) {
            Response r = https.get(path, "X-Request-ID", "edge-probe-2");
            assertThat(r.status()).as("%s: %s", path, r).isEqualTo(404);
            assertThat(r.text("code")).as(path).isEqualTo("not_found");
            assertThat(r.header("X-Request-ID")).as(path).isEqualTo("edge-probe-2");
            assertThat(answeredByTheApplication(r)).as("%s answered by nginx itself", path).isFalse();
        }
    }

    @Test
    void pathsNginxNormalisesReachTheApplicationAsWrittenAndAreRefusedThere() {
        // nginx matches locations on the normalised path but passes the path as written, which the application refuses
        for (String path : List.of("//auth/login", "/%61uth/login", "/api/../auth/login", "/auth/./login")) {
            Response r = https.post(path, WRONG_LOGIN, "X-Request-ID", "edge-probe-3");
            assertThat(r.status()).as("%s: %s", path, r).isEqualTo(400);
            assertThat(r.text("code")).as(path).isEqualTo("invalid_path");
            assertThat(r.text("request_id")).as(path).isEqualTo("edge-probe-3");
            assertThat(answeredByTheApplication(r)).as("%s reached the application", path).isTrue();
        }
    }

    @Test
    void requestIdsOutsideTheApplicationsRuleAreReplacedByNginxsOwn() {
        String nginxId = "[0-9a-f]{32}";
        Response own = https.get("/actuator/prometheus", "X-Request-ID", "bad\",\"code\":\"injected");
        assertThat(own.status()).isEqualTo(404);
        assertThat(own.header("X-Request-ID")).matches(nginxId);
        assertThat(own.text("code")).isEqualTo("not_found");
        assertThat(own.text("request_id")).isEqualTo(own.header("X-Request-ID"));
        // the node receives nginx's id, so nginx's access log and the node's logs name the same request
        Response proxied = https.get("/health", "X-Request-ID", "x".repeat(129));
        assertThat(proxied.status()).isEqualTo(200);
        assertThat(proxied.header("X-Request-ID")).matches(nginxId);
        // positive control: a sane id is kept, by nginx and by the node
        assertThat(https.get("/health", "X-Request-ID", "client-id.1").header("X-Request-ID")).isEqualTo("client-id.1");
    }

    /** The application sets X-Frame-Options on every response; nginx's own answers have none. */
    private static boolean answeredByTheApplication(Response r) {
        return "DENY".equals(r.header("X-Frame-Options"));
    }

    private static String substitute(String text, String from, String to) {
        int at = text.indexOf(from);
        assertThat(at).as("%s holds %s", SITE, from.strip()).isNotNegative();
        assertThat(text.indexOf(from, at + 1)).as("%s holds %s once", SITE, from.strip()).isNegative();
        return text.replace(from, to);
    }

    private static Optional<String> executable(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin"));
        return dirs.stream().filter(d -> !d.isBlank()).map(d -> Path.of(d, name)).filter(Files::isExecutable)
                .map(Path::toString).findFirst();
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s ends", command).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("%s: %s", command, text).isZero();
        return text;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trust.setCertificateEntry("nginx", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
