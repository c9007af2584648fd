package com.catalytic.projections.apikey;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyIssuedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyRevokedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyRotatedEvent;
import com.catalytic.projections.Rows;
import java.time.Instant;
import java.util.TreeSet;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Builds {@code api_keys}; key verification reads it, so it is updated with the command (the "accounts" group). One
 * statement per event, touching only the columns the event changes ({@code last_used_at} is written beside it by
 * {@link ApiKeyLastUsedWriter}); an issue delivered again leaves the row as it is.
 */
@Component
@ProcessingGroup(ProcessingGroupNames.ACCOUNTS)
class ApiKeyProjection {

    private final JdbcTemplate jdbc;

    ApiKeyProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(ApiKeyIssuedEvent e, @Timestamp Instant at) {
        jdbc.update("INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, scopes, created_by, created_at, "
                        + "expires_at, rotated_from, rate_limit_per_minute) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT DO NOTHING",
                e.keyId(), e.tenantId(), e.name(), e.displayPrefix(), e.keyHash(),
                String.join(",", new TreeSet<>(e.scopes())), e.createdBy(), Rows.time(at), Rows.time(e.expiresAt()),
                e.rotatedFrom(), e.rateLimitPerMinute());
    }

    @EventHandler
    void on(ApiKeyRevokedEvent e, @Timestamp Instant at) {
        jdbc.update("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", Rows.time(at),
                e.keyId());
    }

    @EventHandler
    void on(ApiKeyRotatedEvent e) {
        jdbc.update("UPDATE api_keys SET replaced_by = ?, valid_until = ? WHERE id = ?", e.replacedBy(),
                Rows.time(e.validUntil()), e.keyId());
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM api_keys");
    }
}
