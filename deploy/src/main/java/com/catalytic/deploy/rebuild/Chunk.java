package com.catalytic.deploy.rebuild;

import com.catalytic.deploy.rebuild.EventStoreReader.Position;
import java.util.List;
import org.axonframework.eventhandling.TrackedEventMessage;

/**
 * Events read but not yet applied, or the end of the stream (with the reader's failure, if any).
 *
 * @param events   the events to apply, in global order
 * @param position where the read stands after this chunk (the last event read, kept or not)
 * @param read     how many events were read for this chunk, those {@code asOf} left out included
 * @param loaded   how many of them are only counted, not handed over: a projection loads them in the database
 *                 itself, or no projection rebuilt handles them
 */
record Chunk(List<TrackedEventMessage<?>> events, Position position, int read, int loaded, boolean last,
             Throwable failure) {

    static Chunk failed(Throwable failure) {
        return new Chunk(List.of(), null, 0, 0, true, failure);
    }
}
