package com.catalytic.deploy.support;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.rebuild.RebuildTest;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The mixed load of the kill tests (registrations, API keys issued, metered calls, lattices created and queried,
 * each request with its own request id) and the checks made after it: every acknowledged command stored once, every
 * acknowledged call one usage record, every read table equal to a rebuild.
 */
public final class MixedLoad {

    private static final Pattern TOKEN_INDEX = Pattern.compile("\"index\"\\s*:\\s*(\\d+)");

    private MixedLoad() {
    }

    /** An acknowledged command: its request id, the event type it must have stored, and what it created. */
    public record Acked(String requestId, String eventType, String aggregateId) {
    }

    /** Acknowledged commands for which not exactly one event of their kind, on their aggregate, has their request id. */
    public static List<String> notStoredExactlyOnce(JdbcTemplate db, Set<Acked> commands) {
        List<String> wrong = new ArrayList<>();
        for (Acked c : commands) {
            List<String> stored = db.queryForList("SELECT aggregate_identifier FROM domain_event_entry "
                    + "WHERE payload_type LIKE ? AND convert_from(meta_data, 'UTF8')::jsonb ->> 'request_id' = ?",
                    String.class, "%" + c.eventType(), c.requestId());
            if (stored.size() != 1 || !stored.get(0).equals(c.aggregateId())) {
                wrong.add(c + " -> " + stored);
            }
        }
        return wrong;
    }

    /** Acknowledged calls (request ids) that have no usage record, or more than one: "id: count". */
    public static List<String> withoutOneUsageRecord(JdbcTemplate db, Set<String> calls) {
        Map<String, Integer> rows = new HashMap<>();
        db.query("SELECT request_id, COUNT(*) FROM usage_logs GROUP BY request_id", rs -> {
            rows.put(rs.getString(1), rs.getInt(2));
        });
        return calls.stream().filter(id -> rows.getOrDefault(id, 0) != 1)
                .map(id -> id + ": " + rows.getOrDefault(id, 0)).toList();
    }

    /** Rows of {@code actual} unlike {@code expected}'s, table by table and row by row. */
    public static List<String> differences(Map<String, List<Map<String, Object>>> expected,
                                            Map<String, List<Map<String, Object>>> actual) {
        List<String> out = new ArrayList<>();
        expected.forEach((table, rows) -> {
            List<Map<String, Object>> other = actual.get(table);
            if (other.size() != rows.size()) {
                out.add(table + ": " + other.size() + " rows, not " + rows.size());
                return;
            }
            for (int i = 0; i < rows.size(); i++) {
                if (!rows.get(i).equals(other.get(i))) {
                    out.add(table + " row " + i + ": " + other.get(i) + ", not " + rows.get(i));
                }
            }
        });
        return out;
    }

    public static Map<String, Long> countByType(Set<Acked> commands) {
        Map<String, Long> counts = new TreeMap<>();
        commands.forEach(c -> counts.merge(c.eventType(), 1L, Long::sum));
        return counts;
    }

    /** One step of a worker's mix: mostly metered reads, then a key, a lattice and its query, now and then a sign-up. */
    public static void step(Http http, Account owner, int i, Set<Acked> commands, Set<String> calls) {
        String requestId = UUID.randomUUID().toString();
        String[] auth = withRequestId(bearer(owner.accessToken()), requestId);
        switch (i % 8) {
            case 0 -> {
                Response r = http.post("/api/api-keys", Map.of("name", "k" + i, "scopes", List.of("users:read")), auth);
                if (r.status() == 201) {
                    commands.add(new Acked(requestId, "ApiKeyIssuedEvent", r.text("id")));
                    calls.add(requestId);
                }
            }
            case 1 -> {
                Response r = http.post("/api/lattices", Map.of("name", "l" + i, "dimensions", 2, "size", 5), auth);
                if (r.status() == 201) {
                    commands.add(new Acked(requestId, "LatticeCreatedEvent", r.text("id")));
                    calls.add(requestId);
                    String pathId = UUID.randomUUID().toString();
                    Response path = http.post("/api/lattices/" + r.text("id") + "/path",
                            Map.of("start", List.of(0, 0), "end", List.of(4, 4)),
                            withRequestId(bearer(owner.accessToken()), pathId));
                    if (path.status() == 200) {
                        calls.add(pathId);
                    }
                }
            }
            case 2 -> {
                if (i % 32 == 2) {
                    String email = Accounts.uniqueEmail("signup");
                    Response r = http.post("/auth/register", Map.of("email", email, "password", Accounts.PASSWORD,
                            "company_name", "Mixed " + requestId.substring(0, 8)), "X-Request-ID", requestId);
                    if (r.status() == 201) {
                        commands.add(new Acked(requestId, "TenantRegisteredEvent", r.text("tenant_id")));
                    }
                }
            }
            default -> {
                if (http.get("/api/me", auth).status() == 200) {
                    calls.add(requestId);
                }
            }
        }
    }

    public static String[] withRequestId(String[] headers, String requestId) {
        String[] all = new String[headers.length + 2];
        System.arraycopy(headers, 0, all, 0, headers.length);
        all[headers.length] = "X-Request-ID";
        all[headers.length + 1] = requestId;
        return all;
    }

    /** Every segment of every processor has handled every event stored so far. */
    public static void awaitProjectionsCaughtUp(JdbcTemplate db) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Long head = db.queryForObject("SELECT MAX(global_index) FROM domain_event_entry", Long.class);
            List<String> behind = new ArrayList<>();
            db.query("SELECT processor_name, segment, convert_from(token, 'UTF8') FROM token_entry", rs -> {
                String token = rs.getString(3);
                Matcher m = token == null ? null : TOKEN_INDEX.matcher(token);
                if (m == null || !m.find() || Long.parseLong(m.group(1)) < head) {
                    behind.add(rs.getString(1) + "/" + rs.getInt(2) + ": " + token);
                }
            });
            assertThat(behind).as("processors behind the head of the event store (%d)", head).isEmpty();
        });
    }

    public static Map<String, List<Map<String, Object>>> snapshot(JdbcTemplate db) {
        Map<String, List<Map<String, Object>>> s = new LinkedHashMap<>();
        RebuildTest.TABLES.forEach((table, sql) -> s.put(table, db.queryForList(sql)));
        return s;
    }
}
