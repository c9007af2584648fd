package com.catalytic.deploy.reliability;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.ChildApp;
import com.catalytic.deploy.support.FakeStripe;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Hostile input generated from the served OpenAPI document: every operation, every path and query parameter and
 * every property of its example body, given wrong types, huge and empty values, unicode edge cases, injection
 * strings and path traversal; whole bodies that are not JSON, truncated or oversized; forged, unsigned and
 * garbage credentials. Over 10,000 requests: none is answered 5xx, every refusal is a problem response, and no
 * refused request changed anything (no event in the store carries the request id of a refused request). The service
 * runs in a JVM of its own; the requests come from this one. Then each checker is shown to report a run that breaks
 * its promise.
 */
class HostileInputTest {

    @TempDir
    Path dir;

    static final List<String> VALUES = List.of(
            "", " ", "0", "-1", "99999999999999999999999999", "1e309", "NaN", "true", "null", "[]", "{}",
            "../../../etc/passwd", "..\\..\\windows\\win.ini", "%2e%2e%2f%2e%2e%2f", "' OR '1'='1' --",
            "\"; DROP TABLE users; --", "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/x}", "{{7*7}}",
            "\u0000", "\u202e\u0645\u0631\u062d\u0628\u0627", "\uD83D\uDE00\uD835\uDD4F", "\uFEFFbom",
            "x".repeat(10_000), "\uD800", "a\r\nX-Injected: 1");
    static final List<String> BODIES = List.of("", "not json", "{", "[1,2,3]", "\"a string\"", "123", "null",
            "{\"a\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}", "{\"x\":\"" + "y".repeat(300_000) + "\"}");
    /** Operations that would end the test's own session: their hostile variants are sent, but never authenticated. */
    static final Set<String> ENDS_SESSION = Set.of("POST /auth/logout");

    private record Sent(String operation, String requestId, int status, String contentType) {
    }

    @Test
    void tenThousandHostileRequestsNeverFaultAndChangeNothingWhenRefused() throws Exception {
        String schema = TestApp.newSchema();
        Map<String, String> settings = new HashMap<>(TestApp.relaxedLimits());
        try (FakeStripe stripe = new FakeStripe()) {
            settings.putAll(stripe.appSettings());
            // webhooks registered by the hostile requests name addresses that must never be called
            settings.put("catalytic.webhooks.dispatch-interval", "0s");
            try (ChildApp app = ChildApp.start(schema, dir, List.of("-Xmx512m"), settings)) {
                JdbcTemplate db = new JdbcTemplate(new DriverManagerDataSource(ChildApp.jdbcUrl(schema),
                        TestApp.pgUser(), ""));
                Http http = app.http();
                Account owner = Accounts.registerAndLogin(http, "hostile");
                String token = owner.accessToken();
                assertThat(http.get("/api/me", bearer(token)).status()).isEqualTo(200);
                JsonNode doc = http.get("/openapi.json").json();
                List<String[]> credentials = credentials(token);

                List<HttpRequest> requests = new ArrayList<>();
                List<String> operations = new ArrayList<>();
                AtomicInteger ids = new AtomicInteger();
                for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
                    Map.Entry<String, JsonNode> path = paths.next();
                    for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                        Map.Entry<String, JsonNode> op = ops.next();
                        String method = op.getKey().toUpperCase(Locale.ROOT);
                        String name = method + " " + path.getKey();
                        for (Variant v : variants(path.getKey(), op.getValue())) {
                            for (String[] credential : credentials) {
                                if (ENDS_SESSION.contains(name) && credential.length == 2
                                        && credential[1].equals("Bearer " + token)) {
                                    continue;
                                }
                                String rid = "hostile-" + ids.incrementAndGet();
                                HttpRequest.Builder b = HttpRequest.newBuilder(
                                                URI.create(http.base() + v.pathAndQuery()))
                                        .timeout(Duration.ofSeconds(30))
                                        .header("X-Request-ID", rid)
                                        .header("Content-Type", "application/json")
                                        .method(method, v.body() == null ? HttpRequest.BodyPublishers.noBody()
                                                : HttpRequest.BodyPublishers.ofString(v.body()));
                                if (credential.length == 2) {
                                    b.header(credential[0], credential[1]);
                                }
                                requests.add(b.build());
                                operations.add(name);
                            }
                        }
                    }
                }
                assertThat(requests).as("requests generated").hasSizeGreaterThanOrEqualTo(10_000);
                long eventsBefore = db.queryForObject("SELECT COUNT(*) FROM domain_event_entry", Long.class);

                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10)).build();
                ExecutorService pool = Executors.newFixedThreadPool(8);
                List<Future<Sent>> futures = new ArrayList<>();
                for (int i = 0; i < requests.size(); i++) {
                    HttpRequest r = requests.get(i);
                    String operation = operations.get(i);
                    futures.add(pool.submit(() -> {
                        HttpResponse<String> answer = client.send(r, HttpResponse.BodyHandlers.ofString());
                        return new Sent(operation + " " + r.uri().getRawPath(), r.headers().firstValue("X-Request-ID")
                                .orElseThrow(), answer.statusCode(),
                                answer.headers().firstValue("Content-Type").orElse(""));
                    }));
                }
                List<Sent> sent = new ArrayList<>();
                for (Future<Sent> f : futures) {
                    sent.add(f.get());
                }
                pool.shutdown();

                Map<Integer, Integer> byStatus = new TreeMap<>();
                sent.forEach(s -> byStatus.merge(s.status(), 1, Integer::sum));
                System.out.printf("RELIABILITY hostile-input requests=%d by_status=%s%n", sent.size(), byStatus);
                assertThat(byStatus.keySet()).as("the input was refused, mostly").anyMatch(s -> s >= 400 && s < 500);
                List<String> changedBy = db.queryForList("SELECT convert_from(meta_data, 'UTF8')::json "
                        + "->> 'request_id' FROM domain_event_entry WHERE convert_from(meta_data, 'UTF8') LIKE "
                        + "'%hostile-%'", String.class);
                assertThat(violations(sent, changedBy)).as("promises broken").isEmpty();

                // each checker reports a run that breaks its promise
                Sent refusal = sent.stream().filter(s -> s.status() >= 400).findFirst().orElseThrow();
                assertThat(violations(with(sent, new Sent("GET /x", "r-500", 500, "application/problem+json")),
                        changedBy)).singleElement().asString().startsWith("a server fault");
                assertThat(violations(with(sent, new Sent("GET /x", "r-html", 404, "text/html")), changedBy))
                        .singleElement().asString().startsWith("a refusal that is not a problem response");
                List<String> storedByARefusal = new ArrayList<>(changedBy);
                storedByARefusal.add(refusal.requestId());
                assertThat(violations(sent, storedByARefusal)).singleElement().asString()
                        .startsWith("a refused request stored an event");

                Set<String> created = ConcurrentHashMap.newKeySet();
                sent.stream().filter(s -> s.status() == 201).forEach(s -> created.add(s.requestId()));
                assertThat(changedBy).as("positive control: the accepted creations are seen by request id")
                        .anyMatch(created::contains);
                long eventsAfter = db.queryForObject("SELECT COUNT(*) FROM domain_event_entry", Long.class);
                assertThat(eventsAfter).as("events: only accepted requests (and usage) add any")
                        .isGreaterThanOrEqualTo(eventsBefore);
                assertThat(http.get("/api/me", bearer(token)).status()).as("the service still serves")
                        .isEqualTo(200);
            }
        } finally {
            TestApp.adminJdbc().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    /** Each promise the run broke: a 5xx, a refusal that is not a problem response, an event of a refused request. */
    static List<String> violations(List<Sent> sent, List<String> storedByRequestId) {
        List<String> out = new ArrayList<>();
        Set<String> refused = new HashSet<>();
        for (Sent s : sent) {
            if (s.status() >= 500) {
                out.add("a server fault: " + s);
            } else if (s.status() >= 400 && !s.contentType().startsWith("application/problem+json")) {
                out.add("a refusal that is not a problem response: " + s);
            }
            if (s.status() >= 400) {
                refused.add(s.requestId());
            }
        }
        storedByRequestId.stream().filter(refused::contains)
                .forEach(id -> out.add("a refused request stored an event: " + id));
        return out;
    }

    private static List<Sent> with(List<Sent> sent, Sent extra) {
        List<Sent> more = new ArrayList<>(sent);
        more.add(extra);
        return more;
    }

    /** The test's own token, none, and credentials that must all be refused. */
    private static List<String[]> credentials(String token) {
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString("not the signature".getBytes(StandardCharsets.UTF_8));
        String unsigned = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".";
        return List.of(new String[] {"Authorization", "Bearer " + token}, new String[0],
                new String[] {"Authorization", "Bearer " + forged}, new String[] {"Authorization", "Bearer " + unsigned},
                new String[] {"X-API-Key", "clc_live_" + "A".repeat(32)});
    }

    private record Variant(String pathAndQuery, String body) {
    }

    /** The operation with hostile path and query values, and its example body with hostile properties. */
    private static List<Variant> variants(String template, JsonNode op) {
        List<Variant> out = new ArrayList<>();
        List<String> queryNames = new ArrayList<>();
        op.path("parameters").forEach(p -> {
            if ("query".equals(p.path("in").asText())) {
                queryNames.add(p.path("name").asText());
            }
        });
        JsonNode example = op.path("requestBody").path("content").path("application/json").path("example");
        String validBody = example.isMissingNode() ? (op.has("requestBody") ? "{}" : null) : example.toString();
        for (String value : VALUES) {
            String path = template.replaceAll("\\{[^}]+}", encode(value).isEmpty() ? "x" : encode(value));
            out.add(new Variant(path, validBody));
            if (!queryNames.isEmpty()) {
                StringBuilder q = new StringBuilder(fill(template));
                q.append('?');
                for (String n : queryNames) {
                    q.append(n).append('=').append(encode(value)).append('&');
                }
                out.add(new Variant(q.toString(), validBody));
            }
        }
        if (op.has("requestBody")) {
            for (String body : BODIES) {
                out.add(new Variant(fill(template), body));
            }
            if (example.isObject()) {
                for (Iterator<String> names = example.fieldNames(); names.hasNext(); ) {
                    String field = names.next();
                    for (JsonNode bad : hostileValues()) {
                        ObjectNode copy = example.deepCopy();
                        copy.set(field, bad);
                        out.add(new Variant(fill(template), copy.toString()));
                    }
                }
                ObjectNode extra = example.deepCopy();
                extra.put("unexpected_field", "x");
                out.add(new Variant(fill(template), extra.toString()));
            }
        }
        return out;
    }

    private static List<JsonNode> hostileValues() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ArrayNode array = f.arrayNode().add(1).add("two");
        ObjectNode object = f.objectNode().put("nested", "x".repeat(1_000));
        return List.of(f.nullNode(), f.numberNode(-1), f.numberNode(Long.MAX_VALUE), f.numberNode(1.5e308),
                f.textNode(""), f.textNode("x".repeat(100_000)), f.textNode("' OR 1=1 --"),
                f.textNode("\u0000\uD83D\uDE00\u202e"), f.booleanNode(true), array, object);
    }

    /** The template with a well-formed id in every path parameter (of nothing that exists). */
    private static String fill(String template) {
        return template.replaceAll("\\{[^}]+}", "00000000-0000-4000-8000-000000000000");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
