package com.catalytic.command;

import static org.axonframework.test.matchers.Matchers.andNoMore;
import static org.axonframework.test.matchers.Matchers.exactSequenceOf;
import static org.hamcrest.Matchers.containsInAnyOrder;

import java.util.Arrays;
import java.util.List;
import org.hamcrest.Matcher;

/** Matchers over the list of event payloads, for Axon's {@code payloadsMatching}. */
public final class EventPayloads {

    private EventPayloads() {
    }

    /** Exactly these payloads, in this order, and no more. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Matcher<List<?>> inOrder(Matcher<?>... payloads) {
        // The raw cast lets payload matchers of different event types share one sequence.
        Matcher[] sequence = Arrays.copyOf(payloads, payloads.length + 1, Matcher[].class);
        sequence[payloads.length] = andNoMore();
        return (Matcher) exactSequenceOf(sequence);
    }

    /** Exactly these payloads, in any order. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Matcher<List<?>> inAnyOrder(Matcher<?>... payloads) {
        // Hamcrest types this as an Iterable matcher; Axon's payloadsMatching wants a List matcher.
        return (Matcher) containsInAnyOrder((Matcher[]) payloads);
    }
}
