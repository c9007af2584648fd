package com.catalytic.infrastructure.personal;

/**
 * A store outside the events that may hold a subject's personal data in plain (an outbox, a replay cache): when the
 * subject is erased, it is asked to forget, in the erasure's transaction, before the subject's key is destroyed.
 */
public interface PersonalDataCopies {

    /** Removes or blanks what this store holds of the subject of tenant {@code tenantId} with this address. */
    void eraseSubject(String tenantId, String subjectId, String address);

    /** A LIKE pattern matching any text that contains {@code value} ({@code !} escapes). */
    static String containing(String value) {
        return "%" + value.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
    }
}
