package com.catalytic.query.account;

import com.catalytic.api.plan.Plan;
import com.catalytic.api.plan.PlanCatalogue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The public plan catalogue: quotas and prices ({@code null} means unlimited). */
@RestController
class PlansController {

    private final List<Map<String, Object>> plans;

    public PlansController(PlanCatalogue catalogue) {
        this.plans = catalogue.all().stream().map(PlansController::describe).toList();
    }

    @GetMapping("/api/plans")
    public Map<String, Object> plans() {
        return Map.of("plans", plans);
    }

    private static Map<String, Object> describe(Plan p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", p.name());
        m.put("price_monthly", p.priceMonthly());
        m.put("currency", "usd");
        m.put("api_calls_per_month", limit(p.apiCallsPerMonth()));
        m.put("lattices", limit(p.lattices()));
        m.put("users", limit(p.users()));
        m.put("max_dimensions", p.maxDimensions());
        m.put("max_size", p.maxSize());
        m.put("max_obstacles", p.maxObstacles());
        m.put("requests_per_minute", p.requestsPerMinute());
        m.put("trial_days", p.trialDays());
        return m;
    }

    private static Object limit(long value) {
        return value == Plan.UNLIMITED ? null : value;
    }
}
