package com.catalytic.command.auth;

import com.catalytic.api.auth.Caller;
import com.catalytic.api.error.DomainException;

/** Turns a bearer credential into a {@link Caller}: a valid, unexpired, unrevoked access token. */
public class AccessTokenAuthenticator {

    private final TokenService tokens;
    private final RevocationRegistry revocations;

    public AccessTokenAuthenticator(TokenService tokens, RevocationRegistry revocations) {
        this.tokens = tokens;
        this.revocations = revocations;
    }

    public Caller authenticate(String bearer) {
        Caller caller = tokens.verify(bearer);
        if (revocations.isRevoked(caller.sessionId())) {
            throw DomainException.unauthorized("token_revoked", "this token has been revoked");
        }
        return caller;
    }
}
