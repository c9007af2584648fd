import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Load generator of bench/load/history-growth.sh: how the cost of a command grows with the history of the aggregates
 * it loads. For each history size N (sizes=20,200,2000) and each round, a fresh tenant is moved to professional by a
 * signed Stripe event (customer.subscription.updated, as bench/load/lib.sh's post_subscription_event sends) and given
 * one member, then grown with more such events (the plan alternating starter/professional, so each one changes the
 * subscription and the tenant) until its subscription has received N events. Then, one request at a time on one
 * keep-alive connection, it times `samples` member changes (PATCH /api/users/{id}, the member's role alternating:
 * the tenant aggregate) and `samples` Stripe events of the same kind (the full webhook path: the subscription
 * aggregate, then the tenant's plan), the sizes interleaved within each round. Events are built and signed as
 * deploy/src/test/.../StripePayloads.java does.
 *
 * Prints one line per tenant grown ("TENANT size round tenant_id") and one per measured batch:
 *   RESULT op=<member|stripe> size=N round=R n=<requests> p50_us= mean_us= p90_us= max_us=
 * and exits 1 on any answer other than the expected one.
 *
 * Usage: java HistoryGrowth.java base=http://127.0.0.1:18700 secret=whsec_... run=ID [sizes=20,200,2000]
 *        [samples=20] [rounds=3] [warmup=40]
 */
public class HistoryGrowth {

    static HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static String base;
    static String secret;
    static String run;
    static long created = System.currentTimeMillis() / 1000 - 86_400;
    static int seq;

    record Tenant(String id, String email, String password, String[] token, String memberId, String customer,
                  String subscription, int[] flips) {
        String bearer() {
            return token[0];
        }

        /** A fresh access token (they live 15 minutes; growing the large histories can take longer). */
        void login() throws Exception {
            token[0] = field(expect(200, post("/auth/login", "{\"email\":\"" + email + "\",\"password\":\""
                    + password + "\"}", null)), "access_token");
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            args.put(a.substring(0, eq), a.substring(eq + 1));
        }
        base = args.get("base");
        secret = args.get("secret");
        run = args.get("run");
        int[] sizes = Arrays.stream(args.getOrDefault("sizes", "20,200,2000").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        int samples = Integer.parseInt(args.getOrDefault("samples", "20"));
        int rounds = Integer.parseInt(args.getOrDefault("rounds", "3"));
        int warmup = Integer.parseInt(args.getOrDefault("warmup", "40"));

        // the compiler's warm-up: a small tenant, both operations, results dropped
        Tenant w = grown(20, "warmup", 0);
        w.login();
        for (int i = 0; i < warmup; i++) {
            memberChange(w);
            stripeEvent(w);
        }
        Map<String, Tenant> tenants = new LinkedHashMap<>();
        for (int r = 1; r <= rounds; r++) {
            for (int size : sizes) {
                Tenant t = grown(size, "size" + size, r);
                tenants.put(size + ":" + r, t);
                System.out.println("TENANT " + size + " " + r + " " + t.id());
            }
        }
        for (int r = 1; r <= rounds; r++) {
            for (String op : List.of("member", "stripe")) {
                for (int size : sizes) {
                    Tenant t = tenants.get(size + ":" + r);
                    t.login();
                    long[] us = new long[samples];
                    for (int i = 0; i < samples; i++) {
                        long t0 = System.nanoTime();
                        if (op.equals("member")) {
                            memberChange(t);
                        } else {
                            stripeEvent(t);
                        }
                        us[i] = (System.nanoTime() - t0) / 1000;
                    }
                    Arrays.sort(us);
                    long sum = 0;
                    for (long u : us) {
                        sum += u;
                    }
                    System.out.printf("RESULT op=%s size=%d round=%d n=%d p50_us=%d mean_us=%d p90_us=%d max_us=%d%n",
                            op, size, r, samples, us[samples / 2], sum / samples, us[(int) (samples * 0.9)],
                            us[samples - 1]);
                }
            }
        }
    }

    /** A tenant on professional with one member, whose subscription has received {@code size} Stripe events. */
    static Tenant grown(int size, String label, int round) throws Exception {
        String email = "history-" + run + "-" + label + "-" + round + "@example.com";
        String password = "History-Bench-Pass-" + run;
        String registered = expect(201, post("/auth/register", "{\"email\":\"" + email + "\",\"password\":\""
                + password + "\",\"company_name\":\"History " + label + " " + round + "\"}", null));
        String tenantId = field(registered, "tenant_id");
        String customer = "cus_hist_" + tenantId;
        String subscription = "sub_hist_" + tenantId;
        Tenant t = new Tenant(tenantId, email, password, new String[1], null, customer, subscription, new int[2]);
        t.login();
        stripe("customer.subscription.updated", subscriptionObject(t, "professional_month"));
        String member = expect(201, post("/api/users", "{\"email\":\"member-" + email + "\",\"role\":\"member\","
                + "\"password\":\"" + password + "\"}", t.bearer()));
        Tenant withMember = new Tenant(tenantId, email, password, t.token(), field(member, "id"), customer,
                subscription, t.flips());
        for (int i = 1; i < size; i++) {
            stripeEvent(withMember);
        }
        return withMember;
    }

    static void memberChange(Tenant t) throws Exception {
        String role = t.flips()[0]++ % 2 == 0 ? "viewer" : "member";
        expect(200, send("PATCH", "/api/users/" + t.memberId(), "{\"role\":\"" + role + "\"}", t.bearer()));
    }

    static void stripeEvent(Tenant t) throws Exception {
        stripe("customer.subscription.updated", subscriptionObject(t, t.flips()[1]++ % 2 == 0 ? "starter_month"
                : "professional_month"));
    }

    static String subscriptionObject(Tenant t, String lookupKey) {
        long start = System.currentTimeMillis() / 1000 - 86_400;
        return "{\"id\":\"" + t.subscription() + "\",\"object\":\"subscription\",\"customer\":\"" + t.customer()
                + "\",\"status\":\"active\",\"cancel_at_period_end\":false,\"trial_end\":null,\"metadata\":{"
                + "\"tenant_id\":\"" + t.id() + "\"},\"items\":{\"object\":\"list\",\"data\":[{\"id\":\"si_1\","
                + "\"object\":\"subscription_item\",\"current_period_start\":" + start + ",\"current_period_end\":"
                + (start + 30 * 86_400) + ",\"price\":{\"id\":\"price_" + lookupKey + "\",\"object\":\"price\","
                + "\"lookup_key\":\"" + lookupKey + "\",\"recurring\":{\"interval\":\"month\"}}}]}}";
    }

    static void stripe(String type, String object) throws Exception {
        String id = "evt_hist_" + run + "_" + (++seq);
        String payload = "{\"id\":\"" + id + "\",\"object\":\"event\",\"api_version\":\"2025-08-27.basil\","
                + "\"created\":" + (++created) + ",\"livemode\":false,\"pending_webhooks\":1,\"type\":\"" + type
                + "\",\"data\":{\"object\":" + object + "}}";
        long now = System.currentTimeMillis() / 1000;
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String v1 = HexFormat.of().formatHex(mac.doFinal((now + "." + payload).getBytes(StandardCharsets.UTF_8)));
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/webhooks/stripe"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Stripe-Signature", "t=" + now + ",v1=" + v1)
                .POST(HttpRequest.BodyPublishers.ofString(payload)).build();
        expect(200, client.send(request, HttpResponse.BodyHandlers.ofString()));
    }

    static HttpResponse<String> post(String path, String body, String token) throws Exception {
        return send("POST", path, body, token);
    }

    static HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String expect(int status, HttpResponse<String> r) {
        if (r.statusCode() != status) {
            System.err.println("expected " + status + ", got " + r.statusCode() + " for " + r.request().method() + " "
                    + r.request().uri() + ": " + r.body());
            System.exit(1);
        }
        return r.body();
    }

    static final Map<String, Pattern> FIELDS = new HashMap<>();

    static String field(String json, String name) {
        Matcher m = FIELDS.computeIfAbsent(name, n -> Pattern.compile("\"" + n + "\"\\s*:\\s*\"([^\"]+)\""))
                .matcher(json);
        if (!m.find()) {
            System.err.println("no " + name + " in " + json);
            System.exit(1);
        }
        return m.group(1);
    }
}
