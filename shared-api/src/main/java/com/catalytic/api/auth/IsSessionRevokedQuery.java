package com.catalytic.api.auth;

/** Database fallback of the revocation check: answered with a Boolean. */
public record IsSessionRevokedQuery(String sessionId) {
}
