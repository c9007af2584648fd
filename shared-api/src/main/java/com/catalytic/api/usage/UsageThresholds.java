package com.catalytic.api.usage;

import com.catalytic.api.usage.UsageEvents.UsageThresholdReachedEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * When a tenant is told that its month's API calls are running out: on crossing 80 % and 100 % of its plan's quota.
 * A threshold is reached by the calls that take the count from below its mark (the percentage of the limit, rounded
 * up) to the mark or above; calls counted together may reach both at once. An unlimited plan has no thresholds.
 */
public final class UsageThresholds {

    public static final List<Integer> PERCENTS = List.of(80, 100);

    private UsageThresholds() {
    }

    /** The thresholds that calls taking a tenant's count for {@code period} from {@code before} to {@code after} reach. */
    public static List<UsageThresholdReachedEvent> reached(String tenantId, String period, long limit, long before,
                                                    long after) {
        List<UsageThresholdReachedEvent> reached = new ArrayList<>(PERCENTS.size());
        for (int percent : PERCENTS) {
            long mark = mark(limit, percent);
            if (mark > 0 && before < mark && after >= mark) {
                reached.add(new UsageThresholdReachedEvent(tenantId, period, percent, after, limit));
            }
        }
        return reached;
    }

    /**
     * The thresholds that calls taking the count from {@code before}, one after the other, reach, each judged against
     * the quota it was admitted under ({@code limits}, in order): calls counted together may span a plan change.
     */
    public static List<UsageThresholdReachedEvent> reachedByEach(String tenantId, String period, long before,
                                                                 List<Long> limits) {
        List<UsageThresholdReachedEvent> reached = new ArrayList<>();
        long count = before;
        for (int from = 0; from < limits.size(); ) {
            long limit = limits.get(from);
            int to = from;
            while (to < limits.size() && limits.get(to) == limit) {
                to++;
            }
            reached.addAll(reached(tenantId, period, limit, count, count + to - from));
            count += to - from;
            from = to;
        }
        return reached;
    }

    /** The count at which {@code percent} of {@code limit} is reached; -1 for an unlimited (or zero) quota. */
    static long mark(long limit, int percent) {
        return limit <= 0 ? -1 : (limit * percent + 99) / 100;
    }
}
