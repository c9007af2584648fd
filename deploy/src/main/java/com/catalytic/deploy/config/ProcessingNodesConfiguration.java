package com.catalytic.deploy.config;

import com.catalytic.infrastructure.node.NodeRoles;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** Apart from {@link AxonConfiguration}, whose processor set-up needs it while that configuration is being made. */
@Configuration
class ProcessingNodesConfiguration {

    /** Shares each streaming processor's segments out among the live nodes that run it. */
    @Bean
    ProcessingNodes processingNodes(JdbcTemplate jdbc, Clock clock, NodeRoles roles,
                                    @Value("${catalytic.token-store.claim-timeout:10s}") Duration claimTimeout,
                                    @Value("${catalytic.processors.heartbeat:2s}") Duration heartbeat,
                                    @Value("${catalytic.processors.segments:2}") int segments) {
        // the name Axon gives a node by default (pid@host), set explicitly so both tables agree
        return new ProcessingNodes(jdbc, clock, ManagementFactory.getRuntimeMXBean().getName(), roles, claimTimeout,
                heartbeat, segments);
    }
}
