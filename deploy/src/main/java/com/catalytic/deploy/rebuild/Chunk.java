package com.catalytic.deploy.rebuild;

import java.util.List;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;

/**
 * Events read but not yet applied, or the end of the stream (with the reader's failure, if any).
 *
 * @param events   the events to apply, in global order
 * @param position the position of the last event read, kept or not
 * @param read     how many events were read for this chunk, those {@code asOf} left out included
 */
record Chunk(List<TrackedEventMessage<?>> events, TrackingToken position, int read, boolean last,
             Throwable failure) {

    static Chunk failed(Throwable failure) {
        return new Chunk(List.of(), null, 0, true, failure);
    }
}
