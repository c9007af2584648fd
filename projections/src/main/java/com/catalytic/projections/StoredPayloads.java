package com.catalytic.projections;

import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.axonframework.serialization.SerializedType;
import org.axonframework.serialization.json.JacksonSerializer;

/**
 * How the event store keeps payloads, for a {@link StoreLoad} that reads stored events itself: each payload type's
 * name and revision there, and its JSON read back with the event serializer's own mapper, so that a loaded row is the
 * one the projection's handler writes from the same event. Thread-safe.
 */
public final class StoredPayloads {

    private final JacksonSerializer serializer;
    private final Map<Class<?>, ObjectReader> readers = new ConcurrentHashMap<>();

    public StoredPayloads(JacksonSerializer serializer) {
        this.serializer = serializer;
    }

    /** The name and current revision under which the event store keeps payloads of this type. */
    public SerializedType type(Class<?> payloadType) {
        return serializer.typeForClass(payloadType);
    }

    /** A stored payload (or metadata, as a {@code Map}) read as the processors read it. */
    public <T> T read(byte[] json, Class<T> type) throws IOException {
        return readers.computeIfAbsent(type, t -> serializer.getObjectMapper().readerFor(t)).readValue(json);
    }
}
