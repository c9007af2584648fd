package com.catalytic.deploy;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.domain.EntityScan;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The whole system in one process: command side, projections, query side. */
@SpringBootApplication(scanBasePackages = "com.catalytic")
@EntityScan("com.catalytic.projections")
@EnableJpaRepositories("com.catalytic.projections")
@EnableScheduling
public class CatalyticApplication {

    public static void main(String[] args) {
        SpringApplication.run(CatalyticApplication.class, args);
    }
}
