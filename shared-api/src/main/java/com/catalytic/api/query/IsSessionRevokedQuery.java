package com.catalytic.api.query;

/** Database fallback of the revocation check: answered with a Boolean. */
public record IsSessionRevokedQuery(String sessionId) {
}
