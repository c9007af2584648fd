package com.catalytic.deploy.rebuild;

import java.util.LinkedHashMap;
import java.util.Map;

/** How long each phase of a rebuild took, for its closing report. */
final class Phases {

    private final long start = System.currentTimeMillis();
    /** Phase → its end, in ms since start. */
    private final Map<String, Long> ends = new LinkedHashMap<>();

    /** The phase named ends now; it began when the one before it ended (the first: at the start). */
    void end(String phase) {
        ends.put(phase, elapsed());
    }

    long elapsed() {
        return System.currentTimeMillis() - start;
    }

    /** "context 1.2 s, replay 30.4 s, …". */
    String summary() {
        StringBuilder split = new StringBuilder();
        long previous = 0;
        for (var phase : ends.entrySet()) {
            split.append(split.isEmpty() ? "" : ", ").append(String.format("%s %.1f s", phase.getKey(),
                    (phase.getValue() - previous) / 1000.0));
            previous = phase.getValue();
        }
        return split.toString();
    }
}
