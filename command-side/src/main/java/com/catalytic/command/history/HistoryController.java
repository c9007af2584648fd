package com.catalytic.command.history;

import com.catalytic.api.apikey.Scopes;
import com.catalytic.api.auth.Caller;
import com.catalytic.api.error.DomainException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Aggregate history for auditors (scope {@code audit:read}). */
@RestController
public class HistoryController {

    static final int MAX_PAGE = 1000;

    private final HistoryService history;
    private final Clock clock;

    public HistoryController(HistoryService history, Clock clock) {
        this.history = history;
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
        HistoryService.EventsPage page = history.events(caller.tenantId(), type, id, after, limit);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("aggregate_type", type);
        out.put("id", id);
        out.put("events", page.events());
        out.put("next_cursor", page.nextCursor() == null ? null : page.nextCursor().toString());
        return out;
    }

    @GetMapping("/api/history/{aggregateType}/{id}/state")
    public Map<String, Object> state(Caller caller, @PathVariable("aggregateType") String type,
                                     @PathVariable("id") String id,
                                     @RequestParam(name = "at", required = false) String at) {
        caller.require(Scopes.AUDIT_READ);
        Instant instant;
        try {
            instant = at == null ? clock.instant() : Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw DomainException.validation("at", "invalid_time", "at must be an ISO-8601 UTC instant");
        }
        return history.stateAt(caller.tenantId(), type, id, instant);
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
