package com.catalytic.projections.apikey;

import com.catalytic.api.apikey.ApiKeyUsageSink;
import java.time.Instant;
import java.util.Map;
import org.springframework.stereotype.Component;

/** Writes batched last-use times into {@code api_keys.last_used_at}: one update per key per flush, not per request. */
@Component
class ApiKeyLastUsedWriter implements ApiKeyUsageSink {

    private final ApiKeyRepository keys;

    public ApiKeyLastUsedWriter(ApiKeyRepository keys) {
        this.keys = keys;
    }

    @Override
    public void recordLastUsed(Map<String, Instant> lastUsedByKeyId) {
        lastUsedByKeyId.forEach(keys::touch);
    }
}
