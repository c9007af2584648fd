import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load generator of bench/load/usage-report.sh: GET url with an X-API-Key, one request at a time on one connection,
 * paced at no more than RATE requests a second (a request starts at its slot, or when the previous one answered if
 * that is later). WARMUP unmeasured requests, then COUNT measured ones. Every answer must be 200 and report
 * totals.calls = EXPECT, or it stops with exit code 1. The latency is from sending the request to having read the
 * whole answer. Prints one line: RESULT label=... n=... p50_ms=... p90_ms=... p99_ms=... max_ms=... mean_ms=...
 *
 * Usage: java UsageReportLoad.java url=http://127.0.0.1:PORT/api/usage?... key=KEY rate=80 warmup=100 count=1500
 *        expect=1000000 label=rollup-day
 */
public class UsageReportLoad {

    static final Pattern TOTAL_CALLS = Pattern.compile("\"totals\":\\{[^}]*\"calls\":(\\d+)");

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String s : argv) {
            int eq = s.indexOf('=');
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        URI url = URI.create(a.get("url"));
        String key = a.get("key");
        double rate = Double.parseDouble(a.getOrDefault("rate", "80"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "100"));
        int count = Integer.parseInt(a.getOrDefault("count", "1000"));
        long expect = Long.parseLong(a.get("expect"));
        String label = a.getOrDefault("label", "run");

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest request = HttpRequest.newBuilder(url).header("X-API-Key", key).timeout(Duration.ofSeconds(60))
                .GET().build();
        long interval = (long) (1_000_000_000L / rate);
        long[] nanos = new long[count];
        long next = System.nanoTime();
        for (int i = 0; i < warmup + count; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            next = Math.max(next + interval, System.nanoTime());
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            long took = System.nanoTime() - t0;
            if (r.statusCode() != 200) {
                fail(label, "request " + i + " answered " + r.statusCode() + ": " + r.body());
            }
            Matcher m = TOTAL_CALLS.matcher(r.body());
            if (!m.find() || Long.parseLong(m.group(1)) != expect) {
                fail(label, "request " + i + " reported " + (m.find(0) ? m.group(1) : "no totals") + " calls, expected "
                        + expect);
            }
            if (i >= warmup) {
                nanos[i - warmup] = took;
            }
        }
        Arrays.sort(nanos);
        double mean = Arrays.stream(nanos).average().orElse(0) / 1e6;
        System.out.printf("RESULT label=%s n=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f mean_ms=%.2f%n", label,
                count, pct(nanos, 50), pct(nanos, 90), pct(nanos, 99), nanos[count - 1] / 1e6, mean);
    }

    /** The nearest-rank percentile, in milliseconds. */
    static double pct(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    static void fail(String label, String why) {
        System.out.println("FAILED label=" + label + " " + why);
        System.exit(1);
    }
}
