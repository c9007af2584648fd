package com.catalytic.command.apikey;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;
import static org.axonframework.modelling.command.AggregateLifecycle.createNew;

import com.catalytic.api.apikey.ApiKeyMessages.ActingKey;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyIssuedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyRevokedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyRotatedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.IssueApiKeyCommand;
import com.catalytic.api.apikey.ApiKeyMessages.RevokeApiKeyCommand;
import com.catalytic.api.apikey.ApiKeyMessages.RotateApiKeyCommand;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Role;
import com.catalytic.api.identity.Scopes;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.serialization.Revision;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * An API key of a tenant. Rules: scopes are known and within the creator's role; a key issued through another key
 * holds no scope the issuing key lacks, expires no later and gets no higher rate limit; only the creator or an
 * admin may revoke it; only the creator may rotate it, since rotating hands over a new secret that acts as the
 * creator (through a key: only a key within that key); a rotated key stays valid for its grace window, never beyond
 * its own expiry. Commands naming another tenant are answered as if the key did not exist.
 */
@Aggregate(type = "api_key", snapshotTriggerDefinition = "apiKeySnapshotTrigger")
@Revision("1")
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE)
public class ApiKeyAggregate {

    public static final int MAX_NAME = 100;
    public static final long MAX_GRACE_SECONDS = 7 * 24 * 3600;

    @AggregateIdentifier
    private String keyId;
    private String tenantId;
    private String name;
    private TreeSet<String> scopes;
    private Instant expiresAt;
    private String createdBy;
    private Integer rateLimitPerMinute;
    private boolean revoked;
    private boolean rotated;

    protected ApiKeyAggregate() {
    }

    @CommandHandler
    public ApiKeyAggregate(IssueApiKeyCommand cmd) {
        String keyName = cmd.name() == null ? "" : cmd.name().trim();
        if (keyName.isEmpty() || keyName.length() > MAX_NAME) {
            throw DomainException.validation("name", "invalid_name", "name must be 1 to " + MAX_NAME + " characters");
        }
        Set<String> requested = requireScopes(cmd.scopes(), cmd.actor());
        if (cmd.rateLimitPerMinute() != null && (cmd.rateLimitPerMinute() < 1 || cmd.rateLimitPerMinute() > 1_000_000)) {
            throw DomainException.validation("rate_limit_per_minute", "invalid_rate_limit",
                    "rate_limit_per_minute must be between 1 and 1000000");
        }
        ActingKey through = actingKey(cmd.actor(), cmd.actingKey());
        if (!cmd.actor().keyHolds(requested)) {
            throw scopeAboveKey();
        }
        // through a key, what is asked beyond that key is bounded by it: the answer shows the bounds applied
        Instant expiresAt = through == null ? cmd.expiresAt() : earliest(cmd.expiresAt(), through.usableUntil());
        Integer rateLimit = through == null ? cmd.rateLimitPerMinute()
                : lowest(cmd.rateLimitPerMinute(), through.rateLimitPerMinute());
        apply(new ApiKeyIssuedEvent(cmd.keyId(), cmd.tenantId(), keyName, requested, expiresAt, cmd.keyHash(),
                cmd.displayPrefix(), cmd.actor().userId(), null, rateLimit));
    }

    /** For rotation: the successor key, created by its predecessor. */
    ApiKeyAggregate(ApiKeyIssuedEvent successor) {
        apply(successor);
    }

    @CommandHandler
    public void handle(RevokeApiKeyCommand cmd) {
        requireVisibleTo(cmd.tenantId(), cmd.actor());
        if (!revoked) {
            apply(new ApiKeyRevokedEvent(keyId, tenantId, cmd.actor().userId()));
        }
    }

    @CommandHandler
    public void handle(RotateApiKeyCommand cmd) {
        requireVisibleTo(cmd.tenantId(), cmd.actor());
        if (cmd.actor().userId() == null || !cmd.actor().userId().equals(createdBy)) {
            // admins see and may revoke the key, so it is not hidden from them: they are told why
            throw DomainException.forbidden("not_key_creator", "only the user who created this key may rotate it, "
                    + "since the new key acts as that user; revoke it instead");
        }
        requireWithin(actingKey(cmd.actor(), cmd.actingKey()), cmd.actor());
        if (revoked) {
            throw DomainException.conflict("api_key_revoked", "a revoked key cannot be rotated", null);
        }
        if (rotated) {
            throw DomainException.conflict("api_key_rotated", "this key was already rotated; rotate its successor",
                    null);
        }
        if (expiresAt != null && !cmd.requestedAt().isBefore(expiresAt)) {
            throw DomainException.conflict("api_key_expired", "an expired key cannot be rotated", null);
        }
        if (cmd.graceSeconds() < 0 || cmd.graceSeconds() > MAX_GRACE_SECONDS) {
            throw DomainException.validation("grace_seconds", "invalid_grace_seconds",
                    "grace_seconds must be between 0 and " + MAX_GRACE_SECONDS);
        }
        Instant validUntil = cmd.requestedAt().plusSeconds(cmd.graceSeconds());
        if (expiresAt != null && validUntil.isAfter(expiresAt)) {
            validUntil = expiresAt;
        }
        ApiKeyIssuedEvent successor = new ApiKeyIssuedEvent(cmd.newKeyId(), tenantId, name, scopes, expiresAt,
                cmd.newKeyHash(), cmd.newDisplayPrefix(), createdBy, keyId, rateLimitPerMinute);
        apply(new ApiKeyRotatedEvent(keyId, tenantId, cmd.newKeyId(), validUntil, cmd.actor().userId()))
                .andThen(() -> {
                    try {
                        createNew(ApiKeyAggregate.class, () -> new ApiKeyAggregate(successor));
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException("could not create the successor key", e);
                    }
                });
    }

    private void requireVisibleTo(String callerTenant, Actor actor) {
        if (!tenantId.equals(callerTenant)) {
            throw DomainException.notFound("api key");
        }
        boolean own = actor.userId() != null && actor.userId().equals(createdBy);
        if (!actor.isSystem() && !own && (actor.role() == null || !actor.role().includes(Role.ADMIN))) {
            throw DomainException.notFound("api key");
        }
    }

    /** A successor keeps this key's scopes, expiry and rate limit: through a key, they must be within it. */
    private void requireWithin(ActingKey through, Actor actor) {
        if (through == null) {
            return;
        }
        if (!actor.keyHolds(scopes)) {
            throw scopeAboveKey();
        }
        if (through.usableUntil() != null && (expiresAt == null || expiresAt.isAfter(through.usableUntil()))) {
            throw DomainException.forbidden("expiry_above_key",
                    "this key would outlive the API key you are using; rotate it signed in, or with a key that lasts");
        }
        if (through.rateLimitPerMinute() != null
                && (rateLimitPerMinute == null || rateLimitPerMinute > through.rateLimitPerMinute())) {
            throw DomainException.forbidden("rate_limit_above_key",
                    "this key allows more calls per minute than the API key you are using");
        }
    }

    /** The key a command came through; a command through a key that does not describe it is refused. */
    private static ActingKey actingKey(Actor actor, ActingKey actingKey) {
        if (actor.apiKeyId() != null && actingKey == null) {
            throw new IllegalArgumentException("a command sent through an API key must describe that key");
        }
        return actor.apiKeyId() == null ? null : actingKey;
    }

    private static DomainException scopeAboveKey() {
        return DomainException.forbidden("scope_above_key", "a key cannot grant scopes it does not hold");
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    private static Integer lowest(Integer a, Integer b) {
        return a == null ? b : b == null || a < b ? a : b;
    }

    private static Set<String> requireScopes(Set<String> requested, Actor actor) {
        if (requested == null || requested.isEmpty()) {
            throw DomainException.validation("scopes", "invalid_scopes", "give at least one scope: " + Scopes.all());
        }
        for (String scope : requested) {
            if (!Scopes.isKnown(scope)) {
                throw DomainException.validation("scopes", "unknown_scope",
                        "unknown scope '" + scope + "'; known scopes: " + Scopes.all());
            }
            if (!actor.isSystem() && !Scopes.allowedFor(scope, actor.role())) {
                throw DomainException.forbidden("scope_above_role",
                        "scope '" + scope + "' needs a role above "
                                + (actor.role() == null ? "none" : actor.role().wire()));
            }
        }
        return new TreeSet<>(requested);
    }

    @EventSourcingHandler
    void on(ApiKeyIssuedEvent event) {
        this.keyId = event.keyId();
        this.tenantId = event.tenantId();
        this.name = event.name();
        this.scopes = new TreeSet<>(event.scopes());
        this.expiresAt = event.expiresAt();
        this.createdBy = event.createdBy();
        this.rateLimitPerMinute = event.rateLimitPerMinute();
    }

    @EventSourcingHandler
    void on(ApiKeyRevokedEvent event) { this.revoked = true; }

    @EventSourcingHandler
    void on(ApiKeyRotatedEvent event) { this.rotated = true; }
}
