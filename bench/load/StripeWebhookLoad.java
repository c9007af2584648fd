import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Load generator of bench/load/stripe-webhooks.sh: a fixed number of workers, each on its own keep-alive HTTP/1.1
 * connection to 127.0.0.1, POST signed Stripe events to /webhooks/stripe for a fixed duration, one request at a
 * time per worker. The events are built and signed as deploy/src/test/.../StripePayloads.java does, before the
 * clock starts (a pool per worker); a worker that exhausts its pool signs further events on the fly, which the
 * result line reports (inline=N).
 *
 * Cases:
 *   a  charge.refunded (a type not handled), a new event id each: signature check and inbox insert only
 *   b  customer.subscription.updated for the worker's own tenants (so one tenant's events are sent in order),
 *      a new event id each, `created` increasing per tenant, status active/past_due and lookup key
 *      starter_month/professional_month alternating per tenant: the full path
 *   c  redeliveries of (b) events acknowledged before (their bodies, re-signed with a current timestamp)
 *   d  (b)-shaped events signed with a wrong secret: answered 400
 *   check  one event of each case, in order; prints the ids; exit status 1 unless 200 200 200 400
 *
 * Usage: java StripeWebhookLoad.java <case> key=value...
 *   url, secret, workers (8), duration (seconds), pool (events pre-signed per worker), label, run (id prefix),
 *   tenants (file: one tenant id a line), state (file: per-tenant "index seq created" of the last (b) event sent),
 *   acked (file: the (b) events answered 200 are appended, "id<TAB>body"), redeliver (the acked file, for c)
 * Prints one line: RESULT key=value ...
 */
public class StripeWebhookLoad {

    static final String WRONG_SECRET = "whsec_not_the_endpoint_secret_0000";

    public static void main(String[] argv) throws Exception {
        String kase = argv[0];
        Map<String, String> a = new HashMap<>();
        for (int i = 1; i < argv.length; i++) {
            int eq = argv[i].indexOf('=');
            a.put(argv[i].substring(0, eq), argv[i].substring(eq + 1));
        }
        new StripeWebhookLoad(kase, a).run();
    }

    final String kase;
    final URI url;
    final String secret;
    final int workers;
    final long durationNanos;
    final int pool;
    final String idPrefix;
    final List<String> tenants;
    final Path statePath;
    final Path ackedPath;
    final long[] seq;      // per tenant: seq of the last (b) event generated for it
    final long[] created;  // per tenant: created of the last (b) event generated for it
    final long[] sentSeq;  // per tenant: the last one sent
    final long[] sentCreated;
    final List<String> redeliver;

    StripeWebhookLoad(String kase, Map<String, String> a) throws IOException {
        this.kase = kase;
        this.url = URI.create(a.get("url"));
        if (!"127.0.0.1".equals(url.getHost())) {
            throw new IllegalArgumentException("loopback only: " + url);
        }
        this.secret = a.get("secret");
        this.workers = Integer.parseInt(a.getOrDefault("workers", "8"));
        this.durationNanos = (long) (Double.parseDouble(a.getOrDefault("duration", "15")) * 1e9);
        this.pool = Integer.parseInt(a.getOrDefault("pool", "5000"));
        this.idPrefix = "evt_bench_" + a.getOrDefault("run", "x") + "_" + a.getOrDefault("label", "x") + "_" + kase
                + "_";
        this.tenants = a.containsKey("tenants") ? Files.readAllLines(Path.of(a.get("tenants"))).stream()
                .filter(s -> !s.isBlank()).toList() : List.of();
        this.statePath = a.containsKey("state") ? Path.of(a.get("state")) : null;
        this.ackedPath = a.containsKey("acked") ? Path.of(a.get("acked")) : null;
        int n = tenants.size();
        seq = new long[n];
        created = new long[n];
        sentSeq = new long[n];
        sentCreated = new long[n];
        if (statePath != null && Files.exists(statePath)) {
            for (String line : Files.readAllLines(statePath)) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 3) {
                    int i = Integer.parseInt(f[0]);
                    sentSeq[i] = seq[i] = Long.parseLong(f[1]);
                    sentCreated[i] = created[i] = Long.parseLong(f[2]);
                }
            }
        }
        List<String> bodies = new ArrayList<>();
        if (a.containsKey("redeliver") && Files.exists(Path.of(a.get("redeliver")))) {
            try (BufferedReader r = Files.newBufferedReader(Path.of(a.get("redeliver")))) {
                for (String line; (line = r.readLine()) != null; ) {
                    int tab = line.indexOf('\t');
                    if (tab > 0) {
                        bodies.add(line.substring(tab + 1));
                    }
                }
            }
        }
        this.redeliver = bodies;
        if (("b".equals(kase) || "d".equals(kase) || "check".equals(kase)) && tenants.size() < 1) {
            throw new IllegalArgumentException("case " + kase + " needs tenants");
        }
        if ("c".equals(kase) && redeliver.isEmpty()) {
            throw new IllegalArgumentException("case c needs acknowledged (b) events to redeliver");
        }
    }

    // ------------------------------------------------------------------ events, as StripePayloads builds them

    static String event(String id, String type, long created, String object) {
        return "{\"id\":\"" + id + "\",\"object\":\"event\",\"api_version\":\"2025-08-27.basil\",\"created\":" + created
                + ",\"livemode\":false,\"pending_webhooks\":1,\"type\":\"" + type + "\",\"data\":{\"object\":" + object
                + "}}";
    }

    static String subscription(String id, String tenantId, String customer, String status, String lookupKey,
                               long periodStart) {
        return "{\"id\":\"" + id + "\",\"object\":\"subscription\",\"customer\":\"" + customer + "\",\"status\":\""
                + status + "\",\"cancel_at_period_end\":false,\"trial_end\":null"
                + ",\"metadata\":{\"tenant_id\":\"" + tenantId + "\"}"
                + ",\"items\":{\"object\":\"list\",\"data\":[{\"id\":\"si_1\",\"object\":\"subscription_item\","
                + "\"current_period_start\":" + periodStart + ",\"current_period_end\":" + (periodStart + 30 * 86400)
                + ",\"price\":{\"id\":\"price_" + lookupKey + "\",\"object\":\"price\",\"lookup_key\":\"" + lookupKey
                + "\",\"recurring\":{\"interval\":\"month\"}}}]}}";
    }

    String sign(String payload, String key, long t) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal((t + "." + payload)
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    byte[] request(String body, String signature) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
                + "\r\nContent-Type: application/json; charset=utf-8\r\nUser-Agent: Stripe/1.0 (+https://stripe.com/docs/webhooks)"
                + "\r\nStripe-Signature: " + signature + "\r\nContent-Length: " + b.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] r = Arrays.copyOf(h, h.length + b.length);
        System.arraycopy(b, 0, r, h.length, b.length);
        return r;
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** One prepared delivery. */
    record Delivery(byte[] bytes, String id, String body, int tenant, long seq, long created) {
    }

    /** The events of one worker, in sending order. */
    final class Source {
        final int worker;
        final int[] mine; // (b), (d): the tenants of this worker
        int next;         // round robin over mine / redeliver
        long n;

        Source(int worker) {
            this.worker = worker;
            List<Integer> m = new ArrayList<>();
            for (int i = worker; i < tenants.size(); i += workers) {
                m.add(i);
            }
            if (m.isEmpty() && !tenants.isEmpty()) {
                m.add(worker % tenants.size()); // fewer tenants than workers: shared, so order is not guaranteed
            }
            mine = m.stream().mapToInt(Integer::intValue).toArray();
        }

        Delivery next(String k) {
            n++;
            switch (k) {
                case "a": {
                    String id = idPrefix + worker + "_" + n;
                    String body = event(id, "charge.refunded", now(), "{\"id\":\"ch_bench_" + n
                            + "\",\"object\":\"charge\",\"amount_refunded\":1000,\"currency\":\"usd\"}");
                    return new Delivery(request(body, sign(body, secret, now())), id, body, -1, 0, 0);
                }
                case "b": {
                    int t = mine[next++ % mine.length];
                    long s = ++seq[t];
                    long c = created[t] = Math.max(now(), created[t] + 1);
                    String id = idPrefix + worker + "_" + n;
                    boolean even = s % 2 == 0;
                    String body = event(id, "customer.subscription.updated", c,
                            subscription("sub_bench_" + t, tenants.get(t), "cus_bench_" + tenants.get(t),
                                    even ? "active" : "past_due", even ? "starter_month" : "professional_month",
                                    c - 86400));
                    return new Delivery(request(body, sign(body, secret, now())), id, body, t, s, c);
                }
                case "c": {
                    // worker w takes redeliver[w], [w + workers], ... cyclically
                    int size = redeliver.size();
                    int i = (int) (((long) worker + (long) next++ * workers) % size);
                    String body = redeliver.get(i);
                    return new Delivery(request(body, sign(body, secret, now())), null, body, -1, 0, 0);
                }
                case "d": {
                    int t = mine[next++ % mine.length];
                    String id = "evt_bench_bad_" + idPrefix.substring("evt_bench_".length()) + worker + "_" + n;
                    String body = event(id, "customer.subscription.updated", now(),
                            subscription("sub_bench_" + t, tenants.get(t), "cus_bench_" + tenants.get(t),
                                    "canceled", "professional_month", now() - 86400));
                    return new Delivery(request(body, sign(body, WRONG_SECRET, now())), id, body, -1, 0, 0);
                }
                default:
                    throw new IllegalArgumentException("unknown case " + k);
            }
        }
    }

    // ------------------------------------------------------------------ HTTP/1.1 over a plain socket

    /** One keep-alive connection; reopened when the server closes it (Tomcat does after 100 requests). */
    final class Conn {
        Socket socket;
        InputStream in;
        OutputStream out;
        long reconnects;
        final byte[] buf = new byte[16384];

        void open() throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5_000);
            in = new java.io.BufferedInputStream(socket.getInputStream(), 16384);
            out = socket.getOutputStream();
        }

        void close() {
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException ignored) {
            }
            socket = null;
        }

        /** Sends a request, reads the whole response; returns the status (the body is discarded). */
        int exchange(byte[] req) throws IOException {
            if (socket == null) {
                open();
                reconnects++;
            }
            out.write(req);
            out.flush();
            // status line and headers
            StringBuilder head = new StringBuilder(256);
            int last4 = 0;
            while (true) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("connection closed by the server");
                }
                head.append((char) c);
                last4 = (last4 << 8) | c;
                if (last4 == 0x0d0a0d0a) {
                    break;
                }
                if (head.length() > 65536) {
                    throw new IOException("response head too long");
                }
            }
            String h = head.toString();
            int status = Integer.parseInt(h.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            for (String line : h.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = line.substring(0, colon).trim().toLowerCase();
                String value = line.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase().contains("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            if (chunked) {
                while (true) {
                    String size = readLine();
                    int semi = size.indexOf(';');
                    long n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                    if (n == 0) {
                        while (!readLine().isEmpty()) {
                            // trailers
                        }
                        break;
                    }
                    skip(n);
                    readLine();
                }
            } else if (length >= 0) {
                skip(length);
            } else {
                close = true; // body until EOF
                while (in.read(buf) >= 0) {
                    // drain
                }
            }
            if (close) {
                close();
            }
            return status;
        }

        String readLine() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            if (c < 0) {
                throw new IOException("connection closed by the server");
            }
            return sb.toString();
        }

        void skip(long n) throws IOException {
            while (n > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, n));
                if (r < 0) {
                    throw new IOException("connection closed by the server");
                }
                n -= r;
            }
        }
    }

    // ------------------------------------------------------------------ the run

    final class Worker implements Runnable {
        final Source source;
        final String k;
        final List<Delivery> prepared = new ArrayList<>();
        final Conn conn = new Conn();
        long[] lat = new long[1 << 14];
        int count;
        long inline;
        long ioErrors;
        long timeouts;
        final Map<Integer, Long> statuses = new TreeMap<>();
        final List<Delivery> acked = new ArrayList<>();
        long startNanos;
        long endNanos;
        CountDownLatch go;
        long deadline;

        Worker(int w, String k) {
            this.source = new Source(w);
            this.k = k;
        }

        void prepare(int n) {
            for (int i = 0; i < n; i++) {
                prepared.add(source.next(k));
            }
        }

        @Override
        public void run() {
            try {
                conn.open();
                go.await();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
            startNanos = System.nanoTime();
            int used = 0;
            while (System.nanoTime() < deadline) {
                Delivery d;
                if (used < prepared.size()) {
                    d = prepared.get(used);
                    prepared.set(used++, null);
                } else {
                    d = source.next(k);
                    inline++;
                }
                long t0 = System.nanoTime();
                int status;
                try {
                    status = conn.exchange(d.bytes());
                } catch (SocketTimeoutException e) {
                    timeouts++;
                    conn.close();
                    continue;
                } catch (IOException e) {
                    ioErrors++;
                    conn.close();
                    continue;
                }
                long t1 = System.nanoTime();
                if (count == lat.length) {
                    lat = Arrays.copyOf(lat, lat.length * 2);
                }
                lat[count++] = t1 - t0;
                statuses.merge(status, 1L, Long::sum);
                if ("b".equals(k)) {
                    // the per-tenant order of sending: record the last (b) event sent for the tenant
                    synchronized (sentSeq) {
                        if (d.seq() > sentSeq[d.tenant()]) {
                            sentSeq[d.tenant()] = d.seq();
                            sentCreated[d.tenant()] = d.created();
                        }
                    }
                    if (status == 200) {
                        acked.add(d);
                    }
                }
            }
            endNanos = System.nanoTime();
            conn.close();
        }
    }

    void run() throws Exception {
        if ("check".equals(kase)) {
            check();
            return;
        }
        Worker[] ws = new Worker[workers];
        long prepStart = System.nanoTime();
        for (int w = 0; w < workers; w++) {
            ws[w] = new Worker(w, kase);
            ws[w].prepare(pool);
        }
        long prepNanos = System.nanoTime() - prepStart;
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        CountDownLatch go = new CountDownLatch(1);
        Thread[] ts = new Thread[workers];
        for (int w = 0; w < workers; w++) {
            ws[w].go = go;
            ts[w] = new Thread(ws[w], "worker-" + w);
            ts[w].start();
        }
        Thread.sleep(200); // connections open
        long cpu0 = os.getProcessCpuTime();
        long start = System.nanoTime();
        for (Worker w : ws) {
            w.deadline = start + durationNanos;
        }
        go.countDown();
        for (Thread t : ts) {
            t.join();
        }
        long end = System.nanoTime();
        long cpu1 = os.getProcessCpuTime();

        int total = 0;
        long inline = 0;
        long io = 0;
        long to = 0;
        long reconnects = 0;
        Map<Integer, Long> statuses = new TreeMap<>();
        for (Worker w : ws) {
            total += w.count;
            inline += w.inline;
            io += w.ioErrors;
            to += w.timeouts;
            reconnects += w.conn.reconnects;
            w.statuses.forEach((s, n) -> statuses.merge(s, n, Long::sum));
        }
        long[] all = new long[total];
        int p = 0;
        double sum = 0;
        for (Worker w : ws) {
            System.arraycopy(w.lat, 0, all, p, w.count);
            p += w.count;
            for (int i = 0; i < w.count; i++) {
                sum += w.lat[i];
            }
        }
        Arrays.sort(all);

        if ("b".equals(kase)) {
            if (ackedPath != null) {
                try (BufferedWriter out = Files.newBufferedWriter(ackedPath, StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                    for (Worker w : ws) {
                        for (Delivery d : w.acked) {
                            out.write(d.id() + "\t" + d.body() + "\n");
                        }
                    }
                }
            }
            saveState();
        }
        long ok = statuses.getOrDefault(200, 0L);
        long s4 = statuses.entrySet().stream().filter(e -> e.getKey() >= 400 && e.getKey() < 500)
                .mapToLong(Map.Entry::getValue).sum();
        long s5 = statuses.entrySet().stream().filter(e -> e.getKey() >= 500).mapToLong(Map.Entry::getValue).sum();
        long expected = "d".equals(kase) ? statuses.getOrDefault(400, 0L) : ok;
        long unexpected = total - expected;
        double secs = (end - start) / 1e9;
        StringBuilder st = new StringBuilder();
        statuses.forEach((s, n) -> st.append(st.length() == 0 ? "" : ",").append(s).append(':').append(n));
        System.out.printf(java.util.Locale.ROOT,
                "RESULT case=%s requests=%d duration_s=%.3f rps=%.1f p50_us=%d p90_us=%d p95_us=%d p99_us=%d max_us=%d "
                        + "mean_us=%.0f status=%s ok=%d s4xx=%d s5xx=%d unexpected=%d io_errors=%d timeouts=%d "
                        + "reconnects=%d pool=%d inline=%d prep_ms=%d gen_cpu_us_per_req=%.1f%n",
                kase, total, secs, total / secs, pct(all, 50), pct(all, 90), pct(all, 95), pct(all, 99),
                total == 0 ? 0 : all[total - 1] / 1000, total == 0 ? 0 : sum / total / 1000,
                st.length() == 0 ? "-" : st, ok, s4, s5, unexpected, io, to, reconnects, (long) pool * workers, inline,
                prepNanos / 1_000_000, total == 0 ? 0 : (cpu1 - cpu0) / 1000.0 / total);
    }

    static long pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(q / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000;
    }

    void saveState() throws IOException {
        if (statePath == null) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < tenants.size(); i++) {
            sb.append(i).append(' ').append(sentSeq[i]).append(' ').append(sentCreated[i]).append('\n');
        }
        Files.writeString(statePath, sb.toString());
    }

    /** One event of each case, in order, on one connection: 200 (a), 200 (b), 200 (c: that b again), 400 (d). */
    void check() throws IOException {
        Source s = new Source(0);
        Conn conn = new Conn();
        Delivery da = s.next("a");
        Delivery db = s.next("b");
        Delivery dd = s.next("d");
        int ra = conn.exchange(da.bytes());
        int rb = conn.exchange(db.bytes());
        int rc = conn.exchange(request(db.body(), sign(db.body(), secret, now())));
        int rd = conn.exchange(dd.bytes());
        conn.close();
        if (rb == 200) {
            sentSeq[db.tenant()] = db.seq();
            sentCreated[db.tenant()] = db.created();
            saveState();
            if (ackedPath != null) {
                Files.writeString(ackedPath, db.id() + "\t" + db.body() + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
        System.out.println("CHECK a=" + ra + " b=" + rb + " c=" + rc + " d=" + rd + " a_id=" + da.id() + " b_id="
                + db.id() + " d_id=" + dd.id() + " b_tenant=" + tenants.get(db.tenant()));
        if (ra != 200 || rb != 200 || rc != 200 || rd != 400) {
            System.exit(1);
        }
    }
}
