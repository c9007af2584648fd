import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load generator of bench/load/webhook-delivery.sh. A fast receiver on 127.0.0.1 (200, empty body) records when each
 * delivery arrives. Phase A: WORKERS workers issue API keys (POST /api/api-keys, one api_key.issued event each) for
 * DURATION with no webhook: the command rate alone. Phase B: every tenant gets HOOKS webhooks on the receiver
 * (api_key.issued), and the same load runs again for DURATION; then it waits (at most 180 s) until every event has
 * reached every webhook. Prints one line per phase: RESULT key=value ... (command latencies in microseconds).
 *
 * Usage: java WebhookDeliveryLoad.java base=http://127.0.0.1:PORT run=ID workers=8 tenants=8 hooks=4 duration=30
 * With keys=FILE (one API key per line, each of its own tenant, scopes keys:manage and webhooks:manage) it registers
 * no tenant: every request takes the next key in turn. warmup=SECONDS runs phase A's load first, unmeasured.
 */
public class WebhookDeliveryLoad {

    static final Pattern CREATED = Pattern.compile("\"created_at\":\"([^\"]+)\"");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    record Arrival(String webhookId, String path, long arrivedMillis, long createdMillis) {
    }

    /** A phase's load: commands answered 201, other answers and failures, each 201's latency in microseconds. */
    record Load(long ok, long errors, List<Long> micros) {
        String line() {
            List<Long> sorted = new ArrayList<>(micros);
            Collections.sort(sorted);
            return "p50_us=" + pct(sorted, 50) + " p95_us=" + pct(sorted, 95) + " p99_us=" + pct(sorted, 99)
                    + " errors=" + errors;
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new ConcurrentHashMap<>();
        for (String s : argv) {
            a.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
        }
        String base = a.get("base");
        String run = a.getOrDefault("run", Long.toString(System.nanoTime()));
        int workers = Integer.parseInt(a.getOrDefault("workers", "8"));
        int tenants = Integer.parseInt(a.getOrDefault("tenants", Integer.toString(workers)));
        int hooks = Integer.parseInt(a.getOrDefault("hooks", "4"));
        long seconds = Long.parseLong(a.getOrDefault("duration", "30"));
        long warmup = Long.parseLong(a.getOrDefault("warmup", "0"));

        List<Arrival> arrivals = Collections.synchronizedList(new ArrayList<>());
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        receiver.setExecutor(Executors.newFixedThreadPool(8));
        receiver.createContext("/", ex -> {
            long now = System.currentTimeMillis();
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            Matcher m = CREATED.matcher(new String(body, StandardCharsets.UTF_8));
            long created = m.find() ? Instant.parse(m.group(1)).toEpochMilli() : -1;
            arrivals.add(new Arrival(ex.getRequestHeaders().getFirst("webhook-id"), ex.getRequestURI().getPath(), now,
                    created));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        String receiverUrl = "http://127.0.0.1:" + receiver.getAddress().getPort();

        // each tenant's credential: a header and its value
        List<String[]> credentials = new ArrayList<>();
        if (a.containsKey("keys")) {
            for (String key : Files.readAllLines(Path.of(a.get("keys")))) {
                if (!key.isBlank()) {
                    credentials.add(new String[] {"X-API-Key", key.strip()});
                }
            }
            tenants = credentials.size();
        } else {
            for (int t = 0; t < tenants; t++) {
                String email = "whbench-" + run + "-" + t + "@example.com";
                String password = "Bench-Lattice-Pass-" + run;
                expect(201, post(base + "/auth/register", null, "{\"email\":\"" + email + "\",\"password\":\""
                        + password + "\",\"company_name\":\"Hooks " + run + " " + t + "\"}"));
                String login = expect(200, post(base + "/auth/login", null, "{\"email\":\"" + email
                        + "\",\"password\":\"" + password + "\"}"));
                credentials.add(new String[] {"Authorization", "Bearer " + field(login, "access_token")});
            }
        }

        if (warmup > 0) {
            load(base, credentials, workers, warmup);
        }
        Load phaseA = load(base, credentials, workers, seconds);
        long commandsA = phaseA.ok();
        System.out.printf("RESULT phase=A_commands_only commands=%d seconds=%d commands_per_s=%.1f %s%n", commandsA,
                seconds, commandsA / (double) seconds, phaseA.line());

        for (int t = 0; t < tenants; t++) {
            for (int h = 0; h < hooks; h++) {
                expect(201, post(base + "/api/webhooks", credentials.get(t), "{\"url\":\"" + receiverUrl + "/t" + t
                        + "/h" + h + "\",\"event_types\":[\"api_key.issued\"]}"));
            }
        }
        arrivals.clear();
        long start = System.currentTimeMillis();
        Load phaseB = load(base, credentials, workers, seconds);
        long commandsB = phaseB.ok();
        long end = System.currentTimeMillis();
        long expected = commandsB * hooks;
        long deadline = end + 180_000;
        while (arrivals.size() < expected && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        long drained = System.currentTimeMillis();
        List<Arrival> got;
        synchronized (arrivals) {
            got = new ArrayList<>(arrivals);
        }
        long inWindow = got.stream().filter(x -> x.arrivedMillis() <= end).count();
        long lastArrival = got.stream().mapToLong(Arrival::arrivedMillis).max().orElse(end);
        Map<String, Long> first = new ConcurrentHashMap<>();
        for (Arrival x : got) {
            first.merge(x.webhookId() + x.path(), x.arrivedMillis() - x.createdMillis(), Math::min);
        }
        long distinct = first.size();
        List<Long> delays = new ArrayList<>(first.values());
        Collections.sort(delays);
        System.out.printf("RESULT phase=B_with_webhooks commands=%d seconds=%d commands_per_s=%.1f hooks_per_tenant=%d "
                        + "deliveries_expected=%d deliveries_received=%d distinct=%d duplicates=%d "
                        + "deliveries_per_s_during_load=%.1f deliveries_per_s_to_drain=%.1f drain_after_load_ms=%d "
                        + "first_attempt_p50_ms=%d p90_ms=%d p95_ms=%d p99_ms=%d max_ms=%d %s%n",
                commandsB, seconds, commandsB / (double) seconds, hooks, expected, got.size(), distinct,
                got.size() - distinct, inWindow / (double) seconds,
                got.size() / ((lastArrival - start) / 1000.0), Math.max(0, lastArrival - end),
                pct(delays, 50), pct(delays, 90), pct(delays, 95), pct(delays, 99),
                delays.isEmpty() ? -1 : delays.get(delays.size() - 1), phaseB.line());
        receiver.stop(0);
        System.exit(got.size() >= expected && distinct == expected ? 0 : 1);
    }

    /**
     * Issues API keys from {@code workers} threads for {@code seconds}, the tenants' credentials in turn (with one
     * tenant per worker when there are no more tenants than workers).
     */
    static Load load(String base, List<String[]> credentials, int workers, long seconds) throws InterruptedException {
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicInteger next = new AtomicInteger();
        List<Long> micros = Collections.synchronizedList(new ArrayList<>());
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            Thread t = new Thread(() -> {
                int i = 0;
                while (System.nanoTime() < until) {
                    String[] credential = credentials.get(Math.floorMod(next.getAndIncrement(), credentials.size()));
                    try {
                        long t0 = System.nanoTime();
                        HttpResponse<String> r = post(base + "/api/api-keys", credential, "{\"name\":\"k" + (i++)
                                + "\",\"scopes\":[\"users:read\"]}");
                        if (r.statusCode() == 201) {
                            micros.add((System.nanoTime() - t0) / 1_000);
                            ok.incrementAndGet();
                        } else {
                            errors.incrementAndGet();
                            System.err.println("api-keys: " + r.statusCode() + " " + r.body());
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        System.err.println("api-keys: " + e);
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Load(ok.get(), errors.get(), micros);
    }

    static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static HttpResponse<String> post(String url, String[] credential, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (credential != null) {
            b.header(credential[0], credential[1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String expect(int status, HttpResponse<String> r) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(r.uri() + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }
}
