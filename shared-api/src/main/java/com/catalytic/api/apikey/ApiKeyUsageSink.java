package com.catalytic.api.apikey;

import java.time.Instant;
import java.util.Map;

/** Where batched "last used" times of API keys go (key id → latest use). */
public interface ApiKeyUsageSink {
    void recordLastUsed(Map<String, Instant> lastUsedByKeyId);
}
