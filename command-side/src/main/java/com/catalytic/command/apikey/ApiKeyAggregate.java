package com.catalytic.command.apikey;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;
import static org.axonframework.modelling.command.AggregateLifecycle.createNew;

import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyIssuedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyRevokedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyRotatedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.IssueApiKeyCommand;
import com.catalytic.api.apikey.ApiKeyMessages.RevokeApiKeyCommand;
import com.catalytic.api.apikey.ApiKeyMessages.RotateApiKeyCommand;
import com.catalytic.api.apikey.Scopes;
import com.catalytic.api.auth.Actor;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.user.Role;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * An API key of a tenant. Rules: scopes are known and within the creator's role; only the creator or an admin may
 * revoke or rotate it; a rotated key stays valid for its grace window, never beyond its own expiry. Commands naming
 * another tenant are answered as if the key did not exist.
 */
@Aggregate(type = "api_key")
public class ApiKeyAggregate {

    public static final int MAX_NAME = 100;
    public static final long MAX_GRACE_SECONDS = 7 * 24 * 3600;

    @AggregateIdentifier
    private String keyId;
    private String tenantId;
    private String name;
    private Set<String> scopes;
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
        apply(new ApiKeyIssuedEvent(cmd.keyId(), cmd.tenantId(), keyName, requested, cmd.expiresAt(), cmd.keyHash(),
                cmd.displayPrefix(), cmd.actor().userId(), null, cmd.rateLimitPerMinute()));
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
        this.scopes = event.scopes();
        this.expiresAt = event.expiresAt();
        this.createdBy = event.createdBy();
        this.rateLimitPerMinute = event.rateLimitPerMinute();
    }

    @EventSourcingHandler
    void on(ApiKeyRevokedEvent event) { this.revoked = true; }

    @EventSourcingHandler
    void on(ApiKeyRotatedEvent event) { this.rotated = true; }
}
