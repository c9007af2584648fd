import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Read-your-writes load of bench/run.sh: how long after a command is acknowledged its read model shows it. Each of
 * {@code workers} workers loops for {@code duration} seconds: POST /api/lattices (a small lattice; 201 expected),
 * then GET /api/lattices/{id} at once and every millisecond after a 404 until it answers 200 (the lattice projection
 * has the row), then DELETE /api/lattices/{id} (204), so a tenant never holds more lattices than workers. Requests
 * go to 127.0.0.1 with the API keys of {@code keys} (one a line, each with lattices:read and lattices:write) in
 * rotation, one key per cycle.
 *
 * <p>Usage: java ReadYourWrites.java base=http://127.0.0.1:PORT keys=FILE workers=4 duration=10
 * <p>Prints one line: RESULT cycles=... duration_s=... rps=... (cycles a second) p50_us= p95_us= p99_us= max_us= (from
 * the command's 201 to the first 200 of its read) polls_mean=... cmd_p50_us=... cmd_p99_us=... (the command itself)
 * errors=... (any other status, an unparsable answer, an I/O error or a read still 404 after 10 s) statuses=...
 */
public class ReadYourWrites {

    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final long GIVE_UP_NANOS = 10_000_000_000L;

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : argv) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        String base = a.get("base");
        List<String> keys = Files.readAllLines(Path.of(a.get("keys"))).stream().filter(k -> !k.isBlank()).toList();
        int workers = Integer.parseInt(a.getOrDefault("workers", "4"));
        long durationNanos = Long.parseLong(a.getOrDefault("duration", "10")) * 1_000_000_000L;
        if (base == null || keys.isEmpty()) {
            throw new IllegalArgumentException("base=... and keys=FILE (at least one key) are required");
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        Worker[] ws = new Worker[workers];
        Thread[] ts = new Thread[workers];
        long start = System.nanoTime();
        long end = start + durationNanos;
        for (int w = 0; w < workers; w++) {
            ws[w] = new Worker(http, base, keys, w, workers, end);
            ts[w] = new Thread(ws[w], "ryw-" + w);
            ts[w].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        List<Long> delays = new ArrayList<>();
        List<Long> commands = new ArrayList<>();
        long polls = 0;
        long errors = 0;
        Map<Integer, Long> statuses = new TreeMap<>();
        for (Worker w : ws) {
            delays.addAll(w.delays);
            commands.addAll(w.commands);
            polls += w.polls;
            errors += w.errors;
            w.unexpected.forEach((s, n) -> statuses.merge(s, n, Long::sum));
        }
        long[] d = delays.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] c = commands.stream().mapToLong(Long::longValue).sorted().toArray();
        StringBuilder st = new StringBuilder();
        statuses.forEach((s, n) -> st.append(st.length() == 0 ? "" : ",").append(s).append(':').append(n));
        System.out.printf(Locale.ROOT, "RESULT cycles=%d duration_s=%.3f rps=%.1f p50_us=%d p95_us=%d p99_us=%d "
                        + "max_us=%d polls_mean=%.1f cmd_p50_us=%d cmd_p99_us=%d errors=%d statuses=%s%n",
                d.length, secs, d.length / secs, pct(d, 50), pct(d, 95), pct(d, 99),
                d.length == 0 ? 0 : d[d.length - 1], d.length == 0 ? 0 : (double) polls / d.length,
                pct(c, 50), pct(c, 99), errors, st.length() == 0 ? "-" : st);
    }

    static long pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(q / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static final class Worker implements Runnable {
        final HttpClient http;
        final String base;
        final List<String> keys;
        final int index;
        final int workers;
        final long end;
        final List<Long> delays = new ArrayList<>();
        final List<Long> commands = new ArrayList<>();
        final Map<Integer, Long> unexpected = new TreeMap<>();
        long polls;
        long errors;

        Worker(HttpClient http, String base, List<String> keys, int index, int workers, long end) {
            this.http = http;
            this.base = base;
            this.keys = keys;
            this.index = index;
            this.workers = workers;
            this.end = end;
        }

        @Override
        public void run() {
            long cycle = 0;
            while (System.nanoTime() < end) {
                String key = keys.get((int) ((index + cycle * workers) % keys.size()));
                cycle++;
                try {
                    cycle(key);
                } catch (Exception e) {
                    errors++;
                }
            }
        }

        private void cycle(String key) throws Exception {
            long t0 = System.nanoTime();
            HttpResponse<String> created = send(key, "POST", "/api/lattices",
                    "{\"name\":\"read-your-writes\",\"dimensions\":2,\"size\":4}");
            long acked = System.nanoTime();
            if (created.statusCode() != 201) {
                unexpected(created.statusCode());
                return;
            }
            Matcher m = ID.matcher(created.body());
            if (!m.find()) {
                errors++;
                return;
            }
            commands.add((acked - t0) / 1000);
            String path = "/api/lattices/" + m.group(1);
            while (true) {
                HttpResponse<String> read = send(key, "GET", path, null);
                polls++;
                if (read.statusCode() == 200) {
                    delays.add((System.nanoTime() - acked) / 1000);
                    break;
                }
                if (read.statusCode() != 404) {
                    unexpected(read.statusCode());
                    break;
                }
                if (System.nanoTime() - acked > GIVE_UP_NANOS) {
                    errors++;
                    break;
                }
                Thread.sleep(1);
            }
            HttpResponse<String> deleted = send(key, "DELETE", path, null);
            if (deleted.statusCode() != 204) {
                unexpected(deleted.statusCode());
            }
        }

        private void unexpected(int status) {
            errors++;
            unexpected.merge(status, 1L, Long::sum);
        }

        private HttpResponse<String> send(String key, String method, String path, String body) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                    .header("X-API-Key", key);
            if (body != null) {
                b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
