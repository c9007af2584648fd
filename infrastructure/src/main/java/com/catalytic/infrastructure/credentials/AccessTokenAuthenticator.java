package com.catalytic.infrastructure.credentials;

import com.catalytic.api.account.AccountQueries.PrincipalState;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Role;

/**
 * Turns a bearer access token into a {@link Caller}: a valid, unexpired token of an unrevoked session, of a user who
 * is still active and has not been deactivated since the session began. The role is the user's current one, so a
 * demotion or deactivation takes effect at once rather than when the token expires, and a reactivation does not
 * bring old tokens back.
 */
public class AccessTokenAuthenticator {

    private final TokenService tokens;
    private final RevocationRegistry revocations;
    private final CredentialCache cache;

    public AccessTokenAuthenticator(TokenService tokens, RevocationRegistry revocations, CredentialCache cache) {
        this.tokens = tokens;
        this.revocations = revocations;
        this.cache = cache;
    }

    public Caller authenticate(String bearer) {
        TokenService.AccessToken token = tokens.verify(bearer);
        Caller claims = token.caller();
        if (revocations.isRevoked(claims.sessionId())) {
            throw DomainException.unauthorized("token_revoked", "this token has been revoked");
        }
        PrincipalState user = cache.principal(claims.userId()).orElse(null);
        if (user == null || !user.tenantId().equals(claims.tenantId())) {
            throw DomainException.unauthorized("token_revoked", "the account of this token no longer exists");
        }
        if (!user.active()) {
            throw DomainException.unauthorized("account_disabled", "this account is deactivated");
        }
        if (token.sessionEpoch() < user.sessionEpoch()) {
            throw DomainException.unauthorized("token_revoked",
                    "the account was deactivated after this token's session began");
        }
        return new Caller(claims.tenantId(), claims.userId(), Role.fromWire(user.role()), claims.sessionId(), null,
                claims.scopes());
    }
}
