package com.catalytic.infrastructure.metering;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The exact count of metered calls per tenant and calendar month (UTC), in {@code quota_ledger}. It is advanced in
 * the same transaction that appends the calls' {@code UsageRecordedEvent}s, so it never disagrees with them.
 */
@Component
public class QuotaLedger {

    private final JdbcTemplate jdbc;

    public QuotaLedger(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The calendar month (UTC) of {@code at}, e.g. {@code 2026-11}. */
    public static String period(Instant at) {
        CachedPeriod c = lastPeriod;
        long s = at.getEpochSecond();
        if (s >= c.from() && s < c.until()) {
            return c.name();
        }
        YearMonth month = YearMonth.from(at.atZone(ZoneOffset.UTC));
        c = new CachedPeriod(month.atDay(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC),
                month.plusMonths(1).atDay(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC), month.toString());
        lastPeriod = c;
        return c.name();
    }

    /** The month most calls fall in, remembered: every metered call asks for its period. */
    private record CachedPeriod(long from, long until, String name) {
    }

    private static volatile CachedPeriod lastPeriod = new CachedPeriod(0, 0, "");

    /** The first instant of the next period: when the quota resets. */
    public static Instant resetAt(Instant at) {
        return YearMonth.from(at.atZone(ZoneOffset.UTC)).plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    public long used(String tenantId, String period) {
        List<Long> rows = jdbc.queryForList("SELECT used FROM quota_ledger WHERE tenant_id = ? AND period = ?",
                Long.class, tenantId, period);
        return rows.isEmpty() ? 0 : rows.get(0);
    }

    /** Makes sure the row exists (in its own short transaction, before the batch that will update it). */
    public void ensure(String tenantId, String period) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM quota_ledger WHERE tenant_id = ? AND period = ?",
                Integer.class, tenantId, period);
        if (n != null && n > 0) {
            return;
        }
        try {
            jdbc.update("INSERT INTO quota_ledger (tenant_id, period, used) VALUES (?, ?, 0)", tenantId, period);
        } catch (DuplicateKeyException raced) {
            // another node created it first: fine
        }
    }

    /** Adds {@code n} calls (inside the caller's transaction; the row lock orders nodes) and answers the new total. */
    public long add(String tenantId, String period, long n) {
        jdbc.update("UPDATE quota_ledger SET used = used + ? WHERE tenant_id = ? AND period = ?", n, tenantId, period);
        return used(tenantId, period);
    }
}
