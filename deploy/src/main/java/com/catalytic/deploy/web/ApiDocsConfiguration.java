package com.catalytic.deploy.web;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What {@code /openapi.json} says of itself: the API's name and its version (README, "API versioning"). */
@Configuration
class ApiDocsConfiguration {

    /** The version of the HTTP API and webhook payloads: changes within it are additive only. */
    static final String API_VERSION = "1.0.0";

    @Bean
    OpenAPI catalyticApi() {
        return new OpenAPI().info(new Info()
                .title("Catalytic Computing API")
                .version(API_VERSION)
                .description("Tenants, users, API keys, plans and billing, metered lattice computations, usage, "
                        + "audit trail and webhooks. Version 1: changes are additive only; removals are announced "
                        + "with Deprecation and Sunset headers at least six months ahead.")
                .license(new License().name("Proprietary")));
    }
}
