package com.catalytic.deploy.web;

import com.catalytic.api.account.AccountQueries.TenantState;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.plan.Plan;
import com.catalytic.api.plan.PlanCatalogue;
import com.catalytic.api.usage.ComputeUnits;
import com.catalytic.api.usage.UsageEvents.UsageRecord;
import com.catalytic.command.metering.Admission.Quota;
import com.catalytic.command.metering.Admission.RateLimit;
import com.catalytic.command.metering.Admission.Refusal;
import com.catalytic.command.metering.Admission;
import com.catalytic.command.metering.AdmissionPolicy;
import com.catalytic.infrastructure.credentials.CredentialCache;
import com.catalytic.infrastructure.metering.UsageShipper.UsageNotRecorded;
import com.catalytic.infrastructure.metering.UsageShipper;
import com.catalytic.infrastructure.secrets.Ids;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Metering of every authenticated {@code /api/**} call: admission ({@link AdmissionPolicy}: rate limit and monthly
 * quota), then the call itself, whose usage record is committed before the response leaves (an acknowledged call is
 * never unrecorded). Every metered response carries {@code X-RateLimit-Limit}, {@code -Remaining}, {@code -Reset}
 * (seconds until the bucket is full again); a refusal is a 429 problem.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class MeteringFilter extends OncePerRequestFilter {

    /** Handlers that consume compute units put the count (a {@code Long}) in this request attribute. */
    public static final String UNITS = ComputeUnits.REQUEST_ATTRIBUTE;
    private static final Logger log = LoggerFactory.getLogger(MeteringFilter.class);
    private static final Set<String> BODY_HEADERS = Set.of("content-disposition", "content-encoding",
            "content-language", "content-length", "content-type");

    private final boolean enabled;
    private final CredentialCache cache;
    private final PlanCatalogue plans;
    private final AdmissionPolicy admission;
    private final UsageShipper journal;
    private final Problems problems;
    private final Clock clock;
    private final Duration recordTimeout;

    public MeteringFilter(@Value("${catalytic.metering.enabled:true}") boolean enabled, CredentialCache cache,
                          PlanCatalogue plans, AdmissionPolicy admission, UsageShipper journal,
                          Problems problems, Clock clock,
                          @Value("${catalytic.metering.record-timeout:10s}") Duration recordTimeout) {
        this.enabled = enabled;
        this.cache = cache;
        this.plans = plans;
        this.admission = admission;
        this.journal = journal;
        this.problems = problems;
        this.clock = clock;
        this.recordTimeout = recordTimeout;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest req) {
        return !enabled || !req.getRequestURI().startsWith("/api/") || "OPTIONS".equals(req.getMethod());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws ServletException, IOException {
        if (!(req.getAttribute(AuthenticationFilter.CALLER) instanceof Caller caller)) {
            chain.doFilter(req, res); // public endpoint
            return;
        }
        Instant start = clock.instant();
        Plan plan = plans.get(cache.tenant(caller.tenantId()).map(TenantState::plan).orElse(PlanCatalogue.FREE));
        Admission decision = admission.admit(caller, plan, start);
        RateLimit rateLimit = decision.rateLimit();
        res.setHeader("X-RateLimit-Limit", Integer.toString(rateLimit.limit()));
        res.setHeader("X-RateLimit-Remaining", Long.toString(rateLimit.remaining()));
        res.setHeader("X-RateLimit-Reset", Long.toString(rateLimit.resetSeconds()));
        if (!decision.admitted()) {
            problems.write(res, req, problemOf(decision.refusal()));
            return;
        }
        long startNanos = System.nanoTime();
        if (req.getRequestURI().endsWith("/export")) {
            // exports stream as they are read: recorded when the answer starts (its size is not known then)
            RecordBeforeCommitResponse streamed = new RecordBeforeCommitResponse(res,
                    () -> record(req, caller, plan, decision.countedExactly(), start, startNanos, res.getStatus(), -1));
            try {
                chain.doFilter(req, streamed);
                streamed.recordOnce();
            } catch (UsageNotRecorded e) {
                // nothing was sent: answered below
            }
            if (streamed.failure() != null) {
                refuse(req, res, streamed.failure());
            }
            return;
        }
        ContentCachingResponseWrapper buffered = new ContentCachingResponseWrapper(res);
        chain.doFilter(req, buffered);
        try {
            record(req, caller, plan, decision.countedExactly(), start, startNanos, buffered.getStatus(),
                    buffered.getContentSize());
        } catch (UsageNotRecorded e) {
            refuse(req, res, e);
            return;
        }
        buffered.copyBodyToResponse();
    }

    /** An answer whose call is not recorded is never sent: 503 in its place, without the headers of its body. */
    private void refuse(HttpServletRequest req, HttpServletResponse res, UsageNotRecorded e) throws IOException {
        log.error("Usage of {} {} could not be recorded; answering 503: {}", req.getMethod(), req.getRequestURI(),
                e.getMessage());
        Map<String, List<String>> kept = new LinkedHashMap<>();
        for (String name : res.getHeaderNames()) {
            if (!BODY_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                kept.put(name, List.copyOf(res.getHeaders(name)));
            }
        }
        res.reset();
        kept.forEach((name, values) -> values.forEach(value -> res.addHeader(name, value)));
        problems.write(res, req, HttpStatus.SERVICE_UNAVAILABLE, "usage_unavailable",
                "the call could not be metered; it may have taken effect — retry with care", null);
    }

    private void record(HttpServletRequest req, Caller caller, Plan plan, boolean countNow, Instant start,
                        long startNanos, int status, long bytes) {
        Object pattern = req.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        Object units = req.getAttribute(UNITS);
        Object rid = req.getAttribute(RequestIdFilter.ATTRIBUTE);
        // a time-ordered id: usage_logs' primary key grows at one end; and never seeded by an Idempotency-Key, so a
        // repeated request that runs again is recorded as the call it is. No IP address: personal data that nothing
        // reads (the audit trail keeps the address of each change, sealed)
        UsageRecord usage = new UsageRecord(Ids.timeOrderedId(), caller.userId(), caller.apiKeyId(),
                pattern != null ? pattern.toString() : "unmatched", req.getMethod(), status,
                (System.nanoTime() - startNanos) / 1_000_000, Math.max(0, bytes),
                units instanceof Number n ? n.longValue() : 0, start, rid != null ? rid.toString() : null, null);
        journal.record(new UsageShipper.Entry(caller.tenantId(), usage, plan.apiCallsPerMonth(), countNow),
                recordTimeout);
    }

    private static DomainException problemOf(Refusal refusal) {
        DomainException problem = DomainException.tooManyRequests(refusal.code(), refusal.message(),
                refusal.retryAfterSeconds());
        Quota quota = refusal.quota();
        return quota == null ? problem : problem.withDetails(Map.of("reset_at", quota.resetAt().toString(),
                "limit", quota.limit(), "used", quota.used()));
    }
}
