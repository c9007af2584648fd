package com.catalytic.command.uniqueness;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/** {@link UniqueKeyRegistry} in a map, for aggregate tests; not transactional, unlike the JDBC one. */
public class InMemoryUniqueKeyRegistry implements UniqueKeyRegistry {

    private final Map<Key, String> owners = new HashMap<>();

    @Override
    public boolean claim(Scope scope, String value, String ownerId, String aggregateId) {
        return claim(scope, value, ownerId);
    }

    /** A claim made outside any aggregate, as a test's given state. */
    public boolean claim(Scope scope, String value, String ownerId) {
        return owners.putIfAbsent(new Key(scope, value), ownerId) == null;
    }

    @Override
    public boolean isClaimed(Scope scope, String value) {
        return owners.containsKey(new Key(scope, value));
    }

    @Override
    public void release(Scope scope, String value, String ownerId, String aggregateId) {
        owners.remove(new Key(scope, value), ownerId);
    }

    @Override
    public String ownerOf(Scope scope, String value) {
        return owners.get(new Key(scope, value));
    }

    public int size() {
        return owners.size();
    }

    private record Key(Scope scope, String value) {
        Key {
            Objects.requireNonNull(scope);
            Objects.requireNonNull(value);
        }
    }
}
