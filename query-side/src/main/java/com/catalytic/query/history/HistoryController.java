package com.catalytic.query.history;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.history.HistoryQueries.AggregateEvents;
import com.catalytic.api.history.HistoryQueries.AggregateEventsQuery;
import com.catalytic.api.history.HistoryQueries.AggregateState;
import com.catalytic.api.history.HistoryQueries.AggregateStateQuery;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Scopes;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Aggregate history for auditors (scope {@code audit:read}). */
@RestController
class HistoryController {

    static final int MAX_PAGE = 1000;

    private final QueryGateway queries;
    private final Clock clock;

    public HistoryController(QueryGateway queries, Clock clock) {
        this.queries = queries;
        this.clock = clock;
    }

    @GetMapping("/api/history/{aggregateType}/{id}")
    public Map<String, Object> events(Caller caller, @PathVariable("aggregateType") String type,
                                      @PathVariable("id") String id,
                                      @RequestParam(name = "limit", defaultValue = "100") int limit,
                                      @RequestParam(name = "cursor", required = false) String cursor) {
        caller.require(Scopes.AUDIT_READ);
        if (limit < 1 || limit > MAX_PAGE) {
            throw DomainException.validation("limit", "invalid_limit", "limit must be between 1 and " + MAX_PAGE);
        }
        long after = cursor == null ? -1 : sequence(cursor);
        AggregateEvents page = queries.query(new AggregateEventsQuery(caller.tenantId(), type, id, after, limit),
                ResponseTypes.instanceOf(AggregateEvents.class)).join();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("aggregate_type", type);
        out.put("id", id);
        out.put("events", page.events());
        out.put("next_cursor", page.nextCursor() == null ? null : page.nextCursor().toString());
        return out;
    }

    @GetMapping("/api/history/{aggregateType}/{id}/state")
    public AggregateState state(Caller caller, @PathVariable("aggregateType") String type,
                                @PathVariable("id") String id,
                                @RequestParam(name = "at", required = false) String at) {
        caller.require(Scopes.AUDIT_READ);
        Instant instant;
        try {
            instant = at == null ? clock.instant() : Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw DomainException.validation("at", "invalid_time", "at must be an ISO-8601 UTC instant");
        }
        return queries.query(new AggregateStateQuery(caller.tenantId(), type, id, instant),
                ResponseTypes.instanceOf(AggregateState.class)).join();
    }

    /** A cursor is the sequence number of the last event of the previous page. */
    private static long sequence(String cursor) {
        try {
            long sequence = Long.parseLong(cursor);
            if (sequence >= 0) {
                return sequence;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw DomainException.validation("cursor", "invalid_cursor", "cursor is not valid");
    }
}
