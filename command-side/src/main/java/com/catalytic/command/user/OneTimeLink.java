package com.catalytic.command.user;

import com.catalytic.api.error.DomainException;
import com.catalytic.infrastructure.secrets.Hashing;
import java.util.function.Supplier;

/**
 * The token of an e-mailed one-time link (invitation, password reset): {@code <userId>.<secret>}. Only the
 * secret's SHA-256 is ever stored, in the user's events.
 */
record OneTimeLink(String userId, String secretHash) {

    /** @param invalid the error for a token that is not of this shape */
    static OneTimeLink parse(String token, Supplier<DomainException> invalid) {
        int dot = token == null ? -1 : token.indexOf('.');
        if (dot <= 0 || dot == token.length() - 1 || token.length() > 200) {
            throw invalid.get();
        }
        return new OneTimeLink(token.substring(0, dot), Hashing.sha256Hex(token.substring(dot + 1)));
    }

    static String token(String userId, String secret) {
        return userId + "." + secret;
    }
}
