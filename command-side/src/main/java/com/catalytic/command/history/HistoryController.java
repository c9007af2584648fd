package com.catalytic.command.history;

import com.catalytic.api.apikey.Scopes;
import com.catalytic.api.auth.Caller;
import com.catalytic.api.error.DomainException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Aggregate history for auditors (scope {@code audit:read}). */
@RestController
public class HistoryController {

    private final HistoryService history;
    private final Clock clock;

    public HistoryController(HistoryService history, Clock clock) {
        this.history = history;
        this.clock = clock;
    }

    @GetMapping("/api/history/{aggregateType}/{id}")
    public Map<String, Object> events(Caller caller, @PathVariable("aggregateType") String type,
                                      @PathVariable("id") String id) {
        caller.require(Scopes.AUDIT_READ);
        List<Map<String, Object>> events = history.events(caller.tenantId(), type, id);
        return Map.of("aggregate_type", type, "id", id, "events", events);
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
}
