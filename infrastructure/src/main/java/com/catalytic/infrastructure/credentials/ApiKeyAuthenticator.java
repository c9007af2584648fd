package com.catalytic.infrastructure.credentials;

import com.catalytic.api.account.AccountQueries.ApiKeyRecord;
import com.catalytic.api.account.AccountQueries.PrincipalState;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Role;
import java.time.Clock;
import java.time.Instant;

/**
 * Turns an API key into a {@link Caller}: shape check, SHA-256, cached lookup, then revoked / expired / rotated-out
 * checks and the creator's current role and status (a key never exceeds its creator). A key nobody holds counts
 * against its client address ({@link LoginThrottle#countFailedKeyCheck}), which past the limit is refused first.
 */
public class ApiKeyAuthenticator {

    private final CredentialCache cache;
    private final ApiKeyUsageTracker usage;
    private final LoginThrottle throttle;
    private final Clock clock;

    public ApiKeyAuthenticator(CredentialCache cache, ApiKeyUsageTracker usage, LoginThrottle throttle, Clock clock) {
        this.cache = cache;
        this.usage = usage;
        this.throttle = throttle;
        this.clock = clock;
    }

    /** {@code clientAddress}: whose failed checks count (429 {@code too_many_failed_keys} past the limit). */
    public Caller authenticate(String key, String clientAddress) {
        throttle.requireKeyChecksAllowed(clientAddress);
        if (!ApiKeys.looksValid(key) && !ApiKeys.looksImported(key)) {
            throw invalid(clientAddress);
        }
        ApiKeyRecord k = cache.apiKey(ApiKeys.hash(key)).orElse(null);
        if (k == null) {
            throw invalid(clientAddress);
        }
        Instant now = clock.instant();
        if (k.revokedAt() != null) {
            throw DomainException.unauthorized("api_key_revoked", "this API key has been revoked");
        }
        if (k.expiresAt() != null && !now.isBefore(k.expiresAt())) {
            throw DomainException.unauthorized("api_key_expired", "this API key has expired");
        }
        if (k.validUntil() != null && !now.isBefore(k.validUntil())) {
            throw DomainException.unauthorized("api_key_rotated", "this API key was replaced by a rotation");
        }
        PrincipalState owner = cache.principal(k.createdBy()).orElse(null);
        if (owner == null || !owner.active() || !owner.tenantId().equals(k.tenantId())) {
            throw DomainException.unauthorized("api_key_owner_inactive",
                    "the user who created this API key is no longer active");
        }
        usage.touch(k.keyId(), now);
        return new Caller(k.tenantId(), k.createdBy(), Role.fromWire(owner.role()), null, k.keyId(), k.scopes());
    }

    /** 401, or 429 once the address is past its limit of keys nobody holds. */
    private DomainException invalid(String clientAddress) {
        throttle.countFailedKeyCheck(clientAddress);
        return DomainException.unauthorized("invalid_api_key", "API key is not valid");
    }
}
