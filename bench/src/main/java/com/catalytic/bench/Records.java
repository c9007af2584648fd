package com.catalytic.bench;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Map;

/**
 * Builds a record of the message contract by component name, leaving every other component null (false, 0), so that
 * the fixture keeps compiling and meaning the same when a nullable component is added to a view such as
 * {@code ApiKeyRecord} (a key with no expiry, no revocation, no rotation and no limit of its own).
 */
final class Records {

    private Records() {
    }

    static <R extends Record> R of(Class<R> type, Map<String, Object> values) {
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            args[i] = values.containsKey(c.getName()) ? values.get(c.getName()) : defaultOf(c.getType());
        }
        for (String name : values.keySet()) {
            if (Arrays.stream(components).noneMatch(c -> c.getName().equals(name))) {
                throw new IllegalArgumentException(type.getSimpleName() + " has no component " + name);
            }
        }
        try {
            Constructor<R> canonical = type.getDeclaredConstructor(
                    Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
            return canonical.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getName(), e);
        }
    }

    private static Object defaultOf(Class<?> type) {
        if (!type.isPrimitive()) {
            return null;
        }
        return type == boolean.class ? Boolean.FALSE : type == char.class ? (Object) '\0'
                : type == long.class ? (Object) 0L : type == double.class ? (Object) 0d : type == float.class ? (Object) 0f
                : type == byte.class ? (Object) (byte) 0 : type == short.class ? (Object) (short) 0 : (Object) 0;
    }
}
