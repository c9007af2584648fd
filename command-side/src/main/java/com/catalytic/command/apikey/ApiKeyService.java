package com.catalytic.command.apikey;

import com.catalytic.api.account.AccountQueries.ApiKeyView;
import com.catalytic.api.account.AccountQueries.FindApiKeyQuery;
import com.catalytic.api.apikey.ApiKeyMessages.ActingKey;
import com.catalytic.api.apikey.ApiKeyMessages.IssueApiKeyCommand;
import com.catalytic.api.apikey.ApiKeyMessages.RevokeApiKeyCommand;
import com.catalytic.api.apikey.ApiKeyMessages.RotateApiKeyCommand;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Scopes;
import com.catalytic.infrastructure.credentials.ApiKeys;
import com.catalytic.infrastructure.secrets.Ids;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.stereotype.Service;

/** Issuing, revoking and rotating API keys. The key is returned once, here, and never again. */
@Service
class ApiKeyService {

    public static final int MAX_EXPIRY_DAYS = 3650;

    private final CommandGateway commands;
    private final QueryGateway queries;
    private final Clock clock;

    public ApiKeyService(CommandGateway commands, QueryGateway queries, Clock clock) {
        this.commands = commands;
        this.queries = queries;
        this.clock = clock;
    }

    public Map<String, Object> issue(Caller caller, String name, Set<String> scopes, Integer expiresInDays,
                                     Integer rateLimitPerMinute) {
        if (caller.isApiKey()) {
            caller.require(Scopes.KEYS_MANAGE);
        }
        if (expiresInDays != null && (expiresInDays < 1 || expiresInDays > MAX_EXPIRY_DAYS)) {
            throw DomainException.validation("expires_in_days", "invalid_expiry",
                    "expires_in_days must be between 1 and " + MAX_EXPIRY_DAYS);
        }
        Instant expiresAt = expiresInDays == null ? null : clock.instant().plus(Duration.ofDays(expiresInDays));
        String keyId = Ids.newId();
        String key = ApiKeys.generate();
        commands.sendAndWait(new IssueApiKeyCommand(keyId, caller.tenantId(), name, scopes, expiresAt,
                ApiKeys.hash(key), ApiKeys.displayPrefix(key), rateLimitPerMinute, Actor.of(caller),
                actingKey(caller)));
        return created(caller.tenantId(), keyId, key);
    }

    public void revoke(Caller caller, String keyId) {
        if (caller.isApiKey()) {
            caller.require(Scopes.KEYS_MANAGE);
        }
        try {
            commands.sendAndWait(new RevokeApiKeyCommand(keyId, caller.tenantId(), Actor.of(caller)));
        } catch (AggregateNotFoundException e) {
            throw DomainException.notFound("api key");
        }
    }

    public Map<String, Object> rotate(Caller caller, String keyId, long graceSeconds) {
        if (caller.isApiKey()) {
            caller.require(Scopes.KEYS_MANAGE);
        }
        String newKeyId = Ids.newId();
        String key = ApiKeys.generate();
        try {
            commands.sendAndWait(new RotateApiKeyCommand(keyId, caller.tenantId(), newKeyId, ApiKeys.hash(key),
                    ApiKeys.displayPrefix(key), graceSeconds, clock.instant(), Actor.of(caller), actingKey(caller)));
        } catch (AggregateNotFoundException e) {
            throw DomainException.notFound("api key");
        }
        Map<String, Object> out = created(caller.tenantId(), newKeyId, key);
        ApiKeyView old = view(caller.tenantId(), keyId);
        out.put("rotated_from", keyId);
        out.put("previous_key_valid_until", old.validUntil());
        return out;
    }

    /** The bounds of the API key the caller came through (null for a signed-in user). */
    private ActingKey actingKey(Caller caller) {
        if (!caller.isApiKey()) {
            return null;
        }
        ApiKeyView k = view(caller.tenantId(), caller.apiKeyId());
        return ActingKey.of(k.expiresAt(), k.validUntil(), k.rateLimitPerMinute());
    }

    private Map<String, Object> created(String tenantId, String keyId, String key) {
        ApiKeyView v = view(tenantId, keyId);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", v.id());
        out.put("key", key);
        out.put("name", v.name());
        out.put("prefix", v.prefix());
        out.put("scopes", v.scopes());
        out.put("created_at", v.createdAt());
        out.put("expires_at", v.expiresAt());
        out.put("rate_limit_per_minute", v.rateLimitPerMinute());
        return out;
    }

    private ApiKeyView view(String tenantId, String keyId) {
        ApiKeyView v = queries.query(new FindApiKeyQuery(tenantId, keyId), ResponseTypes.instanceOf(ApiKeyView.class))
                .join();
        if (v == null) {
            throw DomainException.notFound("api key");
        }
        return v;
    }
}
