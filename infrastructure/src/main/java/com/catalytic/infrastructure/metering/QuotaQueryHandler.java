package com.catalytic.infrastructure.metering;

import com.catalytic.api.account.AccountQueries.TenantState;
import com.catalytic.api.plan.Plan;
import com.catalytic.api.plan.PlanCatalogue;
import com.catalytic.api.usage.UsageQueries.QuotaStatus;
import com.catalytic.api.usage.UsageQueries.QuotaStatusQuery;
import com.catalytic.infrastructure.credentials.CredentialCache;
import java.time.Clock;
import java.time.Instant;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

/** The exact quota position, from the write side's ledger (the read side's usage_logs may lag behind). */
@Component
class QuotaQueryHandler {

    private final QuotaLedger ledger;
    private final CredentialCache cache;
    private final PlanCatalogue plans;
    private final Clock clock;

    public QuotaQueryHandler(QuotaLedger ledger, CredentialCache cache, PlanCatalogue plans, Clock clock) {
        this.ledger = ledger;
        this.cache = cache;
        this.plans = plans;
        this.clock = clock;
    }

    @QueryHandler
    public QuotaStatus handle(QuotaStatusQuery q) {
        Instant now = clock.instant();
        Plan plan = plans.get(cache.tenant(q.tenantId()).map(TenantState::plan).orElse(PlanCatalogue.FREE));
        String period = QuotaLedger.period(now);
        long used = ledger.used(q.tenantId(), period);
        Long limit = plan.apiCallsPerMonth() == Plan.UNLIMITED ? null : plan.apiCallsPerMonth();
        return new QuotaStatus(plan.name(), period, used, limit, limit == null ? null : Math.max(0, limit - used),
                QuotaLedger.resetAt(now));
    }
}
