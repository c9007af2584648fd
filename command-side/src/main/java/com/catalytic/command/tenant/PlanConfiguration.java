package com.catalytic.command.tenant;

import com.catalytic.api.plan.Plan;
import com.catalytic.api.plan.PlanCatalogue;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration
class PlanConfiguration {

    /**
     * The published price list, each value overridable by configuration, e.g.
     * {@code catalytic.plans.starter.requests-per-minute=500} or {@code catalytic.plans.free.api-calls-per-month=2000}
     * ({@code -1} means unlimited).
     */
    @Bean
    @ConditionalOnMissingBean
    PlanCatalogue planCatalogue(Environment env) {
        Binder binder = Binder.get(env);
        return new PlanCatalogue(PlanCatalogue.defaults().all().stream().map(p -> {
            String base = "catalytic.plans." + p.name() + ".";
            return new Plan(p.name(),
                    binder.bind(base + "price-monthly", Integer.class).orElse(p.priceMonthly()),
                    binder.bind(base + "api-calls-per-month", Long.class).orElse(p.apiCallsPerMonth()),
                    binder.bind(base + "lattices", Integer.class).orElse(p.lattices()),
                    binder.bind(base + "users", Integer.class).orElse(p.users()),
                    binder.bind(base + "max-dimensions", Integer.class).orElse(p.maxDimensions()),
                    binder.bind(base + "max-size", Integer.class).orElse(p.maxSize()),
                    binder.bind(base + "max-obstacles", Integer.class).orElse(p.maxObstacles()),
                    binder.bind(base + "requests-per-minute", Integer.class).orElse(p.requestsPerMinute()),
                    binder.bind(base + "trial-days", Integer.class).orElse(p.trialDays()));
        }).toList());
    }
}
