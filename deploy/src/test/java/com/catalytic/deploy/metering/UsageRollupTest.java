package com.catalytic.deploy.metering;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.api.usage.UsageEvents.UsageRecord;
import com.catalytic.api.usage.UsageEvents.UsageRecordedBatchEvent;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/usage} adds up the hourly roll-up for whole hours (and for the hour in progress of a range that ends
 * now or later) and counts the other partial hours at the ends of its range from the log: every range, aligned or
 * not, gives the totals, endpoints and series the calls themselves give.
 */
class UsageRollupTest {

    /** Calls of tenant A: over a month boundary, several in an hour, errors, two endpoints. */
    private static final Instant START = Instant.parse("2026-10-31T21:00:00Z");

    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() {
        // the test's own report requests are metered calls of tenant A too: never shipped during the test, so every
        // report holds exactly the calls the test stored
        app = TestApp.start(TestApp.newSchema(), Map.of("catalytic.metering.ship-linger", "1h",
                "catalytic.metering.ship-linger-busy", "1h"));
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private record Call(Instant at, String endpoint, String method, int status, long units) {
    }

    @Test
    void reportsFromTheRollupEqualTheCallsInEveryRange() {
        Account a = Accounts.registerAndLogin(http, "rollup-a");
        Account b = Accounts.registerAndLogin(http, "rollup-b");
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            // every 7 minutes 13 seconds: hours hold 8 or 9 calls, the minutes vary across hours
            Instant at = START.plusSeconds(i * 433L).plusMillis(i);
            calls.add(new Call(at, i % 3 == 0 ? "/api/lattices/{id}/path" : "/api/me", i % 3 == 0 ? "POST" : "GET",
                    i % 7 == 0 ? 429 : 200, i % 3 == 0 ? 5 : 1));
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        calls.add(new Call(now.minusMillis(1), "/api/me", "GET", 500, 1)); // the current hour: the default range's tail
        record(a.tenantId(), calls);
        // tenant B's calls in the same hours must never show in A's report
        record(b.tenantId(), calls.subList(0, 20));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(app.jdbc().queryForObject(
                "SELECT COUNT(*) FROM usage_logs WHERE tenant_id IN (?, ?)", Long.class, a.tenantId(), b.tenantId()))
                .isEqualTo(calls.size() + 20L));
        assertThat(app.jdbc().queryForObject("SELECT SUM(calls) FROM usage_rollups WHERE tenant_id = ?", Long.class,
                a.tenantId())).isEqualTo(calls.size());

        Instant end = START.plusSeconds(60 * 433L);
        List<Instant[]> ranges = List.of(
                new Instant[] {START, end.truncatedTo(ChronoUnit.HOURS)},                      // whole hours
                new Instant[] {START.plusSeconds(1000), end.minusSeconds(1000)},               // partial at both ends
                new Instant[] {START.minusSeconds(86_400), end.plusSeconds(86_400)},          // around everything
                new Instant[] {START.plusSeconds(3600 + 60), START.plusSeconds(3600 + 2000)}, // inside one hour
                new Instant[] {START.plusSeconds(3000), START.plusSeconds(4000)},             // two partial hours
                new Instant[] {Instant.parse("2026-11-01T00:00:00Z"), end});                   // from a month's start
        for (Instant[] range : ranges) {
            for (String granularity : List.of("hour", "day", "month")) {
                JsonNode report = report(a, "?from=" + range[0] + "&to=" + range[1] + "&granularity=" + granularity);
                assertThat(report).as("%s..%s by %s", range[0], range[1], granularity)
                        .isEqualTo(expected(calls, range[0], range[1], granularity, report));
            }
        }
        // the default range (this month so far) ends in the current hour
        JsonNode thisMonth = report(a, "?granularity=hour");
        Instant monthStart = now.atZone(ZoneOffset.UTC).withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).toInstant();
        assertThat(thisMonth).isEqualTo(expected(calls, monthStart, Instant.parse(thisMonth.path("to").asText()), "hour",
                thisMonth));
        assertThat(thisMonth.path("totals").path("errors").asLong()).isPositive();

        // whole hours are read from the roll-up: a change there shows in a range of whole hours, not in a range
        // inside one hour (the log's)
        Instant hour = START.plusSeconds(3600);
        String wholeHours = "?from=" + START + "&to=" + hour.plusSeconds(3600);
        String insideTheHour = "?from=" + hour.plusSeconds(1) + "&to=" + hour.plusSeconds(3599);
        long callsInWholeHours = report(a, wholeHours).path("totals").path("calls").asLong();
        long callsInsideTheHour = report(a, insideTheHour).path("totals").path("calls").asLong();
        assertThat(callsInWholeHours).isEqualTo(count(calls, START, hour.plusSeconds(3600)));
        assertThat(callsInsideTheHour).isEqualTo(count(calls, hour.plusSeconds(1), hour.plusSeconds(3599))).isPositive();
        assertThat(app.jdbc().update("UPDATE usage_rollups SET calls = calls + 1000 WHERE tenant_id = ? "
                + "AND hour_start = ?", a.tenantId(), Timestamp.from(hour))).as("the hour's endpoints").isEqualTo(2);
        assertThat(report(a, wholeHours).path("totals").path("calls").asLong()).isEqualTo(callsInWholeHours + 2000);
        assertThat(report(a, insideTheHour).path("totals").path("calls").asLong()).isEqualTo(callsInsideTheHour);
        app.jdbc().update("UPDATE usage_rollups SET calls = calls - 1000 WHERE tenant_id = ? AND hour_start = ?",
                a.tenantId(), Timestamp.from(hour));

        // a range that ends now or later takes its hour in progress whole from the roll-up (no call after its end
        // exists yet); one that ends earlier in that hour still counts it from the log
        Instant current = now.minusMillis(1).truncatedTo(ChronoUnit.HOURS);
        String untilNow = "?from=" + current + "&to=" + now;
        long thisMonthCalls = report(a, "?granularity=hour").path("totals").path("calls").asLong();
        assertThat(report(a, untilNow).path("totals").path("calls").asLong()).as("the log's").isEqualTo(1);
        assertThat(app.jdbc().update("UPDATE usage_rollups SET calls = calls + 1000 WHERE tenant_id = ? "
                + "AND hour_start = ?", a.tenantId(), Timestamp.from(current))).as("the current hour's").isEqualTo(1);
        assertThat(report(a, "?granularity=hour").path("totals").path("calls").asLong())
                .isEqualTo(thisMonthCalls + 1000);
        assertThat(report(a, untilNow).path("totals").path("calls").asLong()).isEqualTo(1);
        app.jdbc().update("UPDATE usage_rollups SET calls = calls - 1000 WHERE tenant_id = ? AND hour_start = ?",
                a.tenantId(), Timestamp.from(current));

        // tenant B (positive control for isolation): exactly its own 20 calls
        assertThat(report(b, "?from=" + START + "&to=" + end).path("totals").path("calls").asLong()).isEqualTo(20);
    }

    private static long count(List<Call> calls, Instant from, Instant to) {
        return calls.stream().filter(c -> !c.at().isBefore(from) && c.at().isBefore(to)).count();
    }

    private static JsonNode report(Account who, String query) {
        Response r = http.get("/api/usage" + query, bearer(who.accessToken()));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.json();
    }

    /** The report the calls in [from, to) make, computed here from the calls themselves (quota taken as served). */
    private static JsonNode expected(List<Call> calls, Instant from, Instant to, String granularity, JsonNode served) {
        List<Call> in = calls.stream().filter(c -> !c.at().isBefore(from) && c.at().isBefore(to)).toList();
        Map<List<String>, long[]> endpoints = new TreeMap<>((x, y) -> (x.get(0) + " " + x.get(1))
                .compareTo(y.get(0) + " " + y.get(1)));
        Map<Instant, long[]> series = new TreeMap<>();
        for (Call c : in) {
            long[] e = endpoints.computeIfAbsent(List.of(c.endpoint(), c.method()), k -> new long[3]);
            e[0]++;
            e[1] += c.units();
            e[2] += c.status() >= 400 ? 1 : 0;
            var hour = c.at().atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS);
            Instant bucket = switch (granularity) {
                case "hour" -> hour.toInstant();
                case "day" -> hour.truncatedTo(ChronoUnit.DAYS).toInstant();
                default -> hour.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).toInstant();
            };
            long[] s = series.computeIfAbsent(bucket, k -> new long[2]);
            s[0]++;
            s[1] += c.units();
        }
        ObjectMapper json = app.bean(ObjectMapper.class);
        ObjectNode out = json.createObjectNode();
        out.put("from", from.toString());
        out.put("to", to.toString());
        out.put("granularity", granularity);
        var totals = out.putObject("totals");
        totals.put("calls", in.size());
        totals.put("units", in.stream().mapToLong(Call::units).sum());
        totals.put("errors", in.stream().filter(c -> c.status() >= 400).count());
        var byEndpoint = out.putArray("by_endpoint");
        endpoints.entrySet().stream()
                .sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0]))
                .forEach(e -> byEndpoint.addObject().put("endpoint", e.getKey().get(0))
                        .put("method", e.getKey().get(1)).put("calls", e.getValue()[0])
                        .put("units", e.getValue()[1]).put("errors", e.getValue()[2]));
        out.set("quota", served.path("quota"));
        var points = out.putArray("series");
        series.forEach((start, s) -> points.addObject().put("start", start.toString()).put("calls", s[0])
                .put("units", s[1]));
        try {
            return json.readTree(json.writeValueAsString(out)); // numbers typed as the served document's are
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stores calls as the metering pipeline does: one batch event of the tenant's calls. */
    private static void record(String tenantId, List<Call> calls) {
        List<UsageRecord> records = calls.stream().map(c -> new UsageRecord(UUID.randomUUID().toString(), null, null,
                c.endpoint(), c.method(), c.status(), 3, 100, c.units(), c.at(), "req-" + UUID.randomUUID(), null))
                .toList();
        app.bean(TransactionManager.class).executeInTransaction(() -> app.bean(EventStore.class).publish(
                GenericEventMessage.asEventMessage(new UsageRecordedBatchEvent(tenantId, records))
                        .andMetaData(Map.of("tenant_id", tenantId))));
    }
}
