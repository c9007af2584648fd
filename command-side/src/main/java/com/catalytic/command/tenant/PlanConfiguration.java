package com.catalytic.command.tenant;

import com.catalytic.api.plan.PlanCatalogue;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
public class PlanConfiguration {

    /** The published price list; an installation may declare its own {@link PlanCatalogue} bean instead. */
    @Bean
    @ConditionalOnMissingBean
    PlanCatalogue planCatalogue() {
        return PlanCatalogue.defaults();
    }
}
