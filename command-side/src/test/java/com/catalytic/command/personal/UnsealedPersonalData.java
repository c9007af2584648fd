package com.catalytic.command.personal;

import com.catalytic.api.personal.PersonalData;
import java.util.HashSet;
import java.util.Set;

/**
 * For aggregate tests, whose expected events name plain values: seals nothing (sealing is proven against the real
 * store by PersonalDataErasureTest), remembers which subjects were erased.
 */
public final class UnsealedPersonalData implements PersonalData {

    private final Set<String> erased = new HashSet<>();

    @Override
    public String seal(String subjectId, String value) {
        return erased.contains(subjectId) ? ERASED : value;
    }

    @Override
    public String open(String value) {
        return value;
    }

    @Override
    public void erase(String subjectId) {
        erased.add(subjectId);
    }

    public boolean isErased(String subjectId) {
        return erased.contains(subjectId);
    }
}
