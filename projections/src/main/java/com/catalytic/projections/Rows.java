package com.catalytic.projections;

import java.sql.Timestamp;
import java.time.Instant;

/** What the projections that write with plain SQL share. */
public final class Rows {

    private Rows() {
    }

    /** An instant as a {@code TIMESTAMP WITH TIME ZONE} parameter (the service's connections run in UTC). */
    public static Timestamp time(Instant at) {
        return at == null ? null : Timestamp.from(at);
    }
}
