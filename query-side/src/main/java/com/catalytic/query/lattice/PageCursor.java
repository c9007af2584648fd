package com.catalytic.query.lattice;

import com.catalytic.api.error.DomainException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/** The opaque {@code cursor} of a newest-first list: the time and id of the last item of the page before. */
record PageCursor(Instant at, String id) {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    /** Null for the first page; 422 {@code invalid_cursor} for anything this class did not write. */
    static PageCursor parse(String cursor) {
        if (cursor == null) {
            return null;
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 2);
            if (parts.length != 2 || parts[1].isEmpty()) {
                throw new IllegalArgumentException("no id");
            }
            return new PageCursor(Instant.parse(parts[0]), parts[1]);
        } catch (RuntimeException e) {
            throw DomainException.validation("cursor", "invalid_cursor", "cursor is not valid");
        }
    }

    static int checkLimit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw DomainException.validation("limit", "invalid_limit", "limit must be between 1 and " + MAX_LIMIT);
        }
        return limit;
    }

    String encode() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((at + "|" + id).getBytes(StandardCharsets.UTF_8));
    }
}
