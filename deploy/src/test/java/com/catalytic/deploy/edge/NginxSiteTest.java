package com.catalytic.deploy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.ChildApp;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.RequestThreads;
import com.catalytic.deploy.support.TestApp;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * install. nginx is needed: .ci/run installs it. The instance runs in a JVM of its own; the tests read its request
 * threads over JMX.
 */
class NginxSiteTest {

    static final Path SITE = Path.of("nginx", "catalytic.conf");
    static final String WRONG_LOGIN = "{\"email\":\"nobody@example.com\",\"password\":\"not the password\"}";

    @TempDir
    static Path dir;

    static ChildApp app;
    static RequestThreads threads;
    static Process nginx;
    static Http https;
    static SSLContext tls;
    static int httpsPort;

    @BeforeAll
    static void start() throws Exception {
        String nginxBinary = executable("nginx").orElseThrow(() -> new AssertionError(
                "nginx is not installed: apt-get install nginx (.ci/run installs it)"));
        String openssl = executable("openssl").orElseThrow(() -> new AssertionError(
                "openssl is not installed: apt-get install openssl (.ci/run installs it)"));
        // a webhook secret, so that the slow clients' Stripe events are read and answered (400: a wrong signature)
        Map<String, String> settings = new HashMap<>(TestApp.relaxedLimits());
        settings.putAll(RequestThreads.SETTINGS);
        settings.put("STRIPE_WEBHOOK_SECRET", "whsec_nginx_site_test");
        int jmxPort = ChildApp.freePort();
        app = ChildApp.start(TestApp.newSchema(), Files.createDirectories(dir.resolve("app")),
                RequestThreads.jvmOptions(jmxPort), settings);
        threads = RequestThreads.connect(jmxPort, app.port());

        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        run(List.of(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key.toString(), "-out",
                cert.toString()));

        int httpPort = freePort();
        httpsPort = freePort();
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
                "events { worker_connections 1024; }",
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
        tls = trusting(cert);
        https = new Http("https://127.0.0.1:" + httpsPort, HttpClient.newBuilder()
                .sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build());
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
        if (threads != null) {
            threads.close();
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

    /**
     * Slow clients (slow-loris bodies): a node reads a request body on a request thread, so clients that trickle
     * their bodies straight to a node hold its threads (the control below takes every one of them). nginx reads the
     * whole body before it passes the request on (proxy_request_buffering, on by default), so the same clients
     * through nginx hold none: more of them than the node has request threads, and the node still answers at once.
     * Once their bodies are complete, every one of them is answered by the application.
     */
    @Test
    void slowBodiesHoldRequestThreadsStraightToANodeAndNoneThroughNginx() throws Exception {
        int clients = threads.max() + 50;
        // control: straight to the node, the slow bodies take every request thread
        try (SlowBodies direct = new SlowBodies(clients, () -> new Socket("127.0.0.1", app.port()))) {
            direct.trickle(3);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(threads.busy()).isEqualTo(threads.max()));
            direct.finish();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(threads.busy()).isLessThan(5));

        try (SlowBodies viaNginx = new SlowBodies(clients, () -> tls.getSocketFactory().createSocket("127.0.0.1",
                httpsPort))) {
            viaNginx.trickle(3);
            assertThat(threads.busy()).as("request threads busy while %d bodies trickle in", clients)
                    .isLessThan(10);
            long start = System.nanoTime();
            assertThat(app.http().get("/api/plans").status()).isEqualTo(200);
            assertThat(https.get("/api/plans").status()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            viaNginx.finish();
        }
    }

    /**
     * Slow headers (slow-loris proper) hold no request thread even straight to a node: Tomcat's NIO connector parses
     * a request's headers as they arrive and takes a thread only for a complete head. The same number of clients as
     * above trickle header lines; the node's threads stay free and it answers at once; completed, each is answered.
     */
    @Test
    void slowHeadersStraightToANodeHoldNoRequestThread() throws Exception {
        int clients = threads.max() + 50;
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                Socket s = new Socket("127.0.0.1", app.port());
                s.setSoTimeout(30_000);
                sockets.add(s);
                s.getOutputStream().write("GET /api/plans HTTP/1.1\r\nHost: localhost\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
            for (int round = 0; round < 3; round++) {
                for (Socket s : sockets) {
                    s.getOutputStream().write(("X-Slow-" + round + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                }
                Thread.sleep(200); // pacing the trickle, as for the slow bodies above
            }
            assertThat(threads.busy()).as("request threads busy while %d heads trickle in", clients)
                    .isLessThan(10);
            long start = System.nanoTime();
            assertThat(app.http().get("/api/plans").status()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            for (Socket s : sockets) {
                s.getOutputStream().write("Connection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
            for (Socket s : sockets) {
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .startsWith("HTTP/1.1 200");
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** Clients that each POST a Stripe event whose body arrives a byte at a time; each answer must be the app's 400. */
    private static final class SlowBodies implements AutoCloseable {
        static final String BODY = "{\"id\":\"evt_slow\",\"type\":\"charge.refunded\"}";
        final List<Socket> sockets = new ArrayList<>();
        int sent;

        interface Connect {
            Socket open() throws IOException;
        }

        SlowBodies(int clients, Connect connect) throws IOException {
            String head = "POST /webhooks/stripe HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Stripe-Signature: t=1,v1=00\r\nConnection: close\r\nContent-Length: " + BODY.length() + "\r\n\r\n";
            for (int i = 0; i < clients; i++) {
                Socket s = connect.open();
                s.setSoTimeout(30_000);
                sockets.add(s);
                s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
        }

        /** Sends the next byte of every body, {@code rounds} times, about every 200 ms. */
        void trickle(int rounds) throws IOException, InterruptedException {
            for (int r = 0; r < rounds; r++) {
                for (Socket s : sockets) {
                    s.getOutputStream().write(BODY.charAt(sent));
                    s.getOutputStream().flush();
                }
                sent++;
                Thread.sleep(200); // pacing the trickle, not waiting for an outcome
            }
        }

        /** Sends the rest of every body and checks that the application answered each (400: not a valid signature). */
        void finish() throws IOException {
            byte[] rest = BODY.substring(sent).getBytes(StandardCharsets.US_ASCII);
            for (Socket s : sockets) {
                s.getOutputStream().write(rest);
                s.getOutputStream().flush();
            }
            for (Socket s : sockets) {
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(answer).startsWith("HTTP/1.1 400");
                assertThat(answer).contains("X-Frame-Options: DENY");
            }
        }

        @Override
        public void close() throws IOException {
            for (Socket s : sockets) {
                s.close();
            }
        }
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
