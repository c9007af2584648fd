package com.catalytic.deploy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Metrics and build info are served on the management port (MANAGEMENT_PORT), on the loopback address unless
 * MANAGEMENT_ADDRESS says otherwise, and never on the API port, whatever a proxy in front does.
 */
class ManagementPortTest {

    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() {
        // the shipped defaults, except the port: MANAGEMENT_PORT=0 (TestApp) picks a free one
        app = TestApp.start(TestApp.newSchema(), Map.of());
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void metricsAreServedOnTheManagementPortAndNotOnTheApiPort() {
        assertThat(http.get("/health").status()).isEqualTo(200);
        for (String path : new String[] {"/actuator/prometheus", "/actuator/info", "/actuator"}) {
            Response r = http.get(path, "X-Request-ID", "metrics-probe");
            assertThat(r.status()).as("API port, %s: %s", path, r).isEqualTo(404);
            assertThat(r.text("code")).isEqualTo("not_found");
            assertThat(r.header("X-Request-ID")).isEqualTo("metrics-probe");
        }
        Http management = app.management();
        assertThat(management.get("/actuator/info").status()).isEqualTo(200);
        // the API port's traffic is what the metrics count
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Response metrics = management.get("/actuator/prometheus");
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.raw()).contains("http_server_requests_seconds_count").contains("uri=\"/health\"");
        });
    }

    @Test
    void theManagementPortListensOnLoopbackOnly() {
        Optional<InetAddress> external = nonLoopbackAddress();
        assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address to try");
        InetAddress address = external.get();
        // positive controls: the API port answers on that address, the management port on loopback
        assertThat(connects(address, app.port())).as("API port on %s", address).isTrue();
        assertThat(connects(InetAddress.getLoopbackAddress(), app.managementPort())).isTrue();
        assertThatThrownBy(() -> connect(address, app.managementPort()))
                .as("management port on %s", address).isInstanceOf(IOException.class);
    }

    private static boolean connects(InetAddress address, int port) {
        try {
            connect(address, port);
            return true;
        } catch (IOException e) {
            throw new AssertionError("cannot connect to " + address + ":" + port, e);
        }
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 5000);
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return Optional.of(a);
                    }
                }
            }
            return Optional.empty();
        } catch (SocketException e) {
            throw new AssertionError(e);
        }
    }
}
