package com.catalytic.api.history;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An aggregate's history for auditors, read from the event store: its events, and its state as of an instant. Another
 * tenant's aggregate does not exist. {@code aggregateType} is the lower snake case name of history paths.
 */
public final class HistoryQueries {

    private HistoryQueries() {
    }

    /** At most {@code limit} events after sequence number {@code after} (-1: from the first): {@link AggregateEvents}. */
    public record AggregateEventsQuery(String tenantId, String aggregateType, String aggregateId, long after,
                                       int limit) {
    }

    /** {@code nextCursor}: the last event's sequence number when more follow. */
    public record AggregateEvents(List<HistoryEvent> events, Long nextCursor) {
    }

    /** {@code payload}: the event's fields as JSON, secret fields left out. */
    public record HistoryEvent(long sequence, String eventId, String type, String payloadType, String revision,
                               Instant occurredAt, Object payload, Map<String, Object> metadata) {
    }

    /** The state after the events that occurred at or before {@code at}: {@link AggregateState}. */
    public record AggregateStateQuery(String tenantId, String aggregateType, String aggregateId, Instant at) {
    }

    /** {@code state}: the aggregate's fields as JSON, secret fields left out; {@code version}: its last event's sequence. */
    public record AggregateState(String aggregateType, String id, Instant at, long version, Instant lastEventAt,
                                 Object state) {
    }
}
