package com.catalytic.command.metering;

import com.catalytic.infrastructure.credentials.CredentialCache;
import com.catalytic.infrastructure.metering.QuotaCounter;
import com.catalytic.infrastructure.metering.RateLimiter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class AdmissionConfiguration {

    /** The API key's own limit comes from the credential cache, which verified the key moments before. */
    @Bean
    AdmissionPolicy admissionPolicy(RateLimiter limiter, QuotaCounter quota, CredentialCache credentials) {
        return new AdmissionPolicy(limiter, new AdmissionPolicy.QuotaUsage() {
            @Override
            public long used(String tenantId, String period) {
                return quota.used(tenantId, period);
            }

            @Override
            public Long recent(String tenantId, String period) {
                return quota.recent(tenantId, period);
            }
        }, credentials::apiKeyLimit);
    }
}
