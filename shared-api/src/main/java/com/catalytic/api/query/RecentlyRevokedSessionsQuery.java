package com.catalytic.api.query;

import java.time.Instant;

/** Session ids revoked since the instant; answered with a {@code List<String>}. Used to refill the fast cache. */
public record RecentlyRevokedSessionsQuery(Instant since) {
}
