package com.catalytic.projections.apikey;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyIssuedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyRevokedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyRotatedEvent;
import java.time.Instant;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.stereotype.Component;

/** Builds {@code api_keys}; key verification reads it, so it is updated with the command (the "accounts" group). */
@Component
@ProcessingGroup(ProcessingGroupNames.ACCOUNTS)
class ApiKeyProjection {

    private final ApiKeyRepository keys;

    public ApiKeyProjection(ApiKeyRepository keys) {
        this.keys = keys;
    }

    @EventHandler
    void on(ApiKeyIssuedEvent e, @Timestamp Instant at) {
        keys.save(new ApiKeyRow(e.keyId(), e.tenantId(), e.name(), e.displayPrefix(), e.keyHash(), e.scopes(),
                e.createdBy(), at, e.expiresAt(), e.rotatedFrom(), e.rateLimitPerMinute()));
    }

    @EventHandler
    void on(ApiKeyRevokedEvent e, @Timestamp Instant at) {
        keys.findById(e.keyId()).ifPresent(k -> {
            k.revoke(at);
            keys.save(k);
        });
    }

    @EventHandler
    void on(ApiKeyRotatedEvent e) {
        keys.findById(e.keyId()).ifPresent(k -> {
            k.rotate(e.replacedBy(), e.validUntil());
            keys.save(k);
        });
    }

    @ResetHandler
    void reset() {
        keys.deleteAllInBatch();
    }
}
