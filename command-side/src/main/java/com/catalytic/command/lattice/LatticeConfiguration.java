package com.catalytic.command.lattice;

import java.time.Clock;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

@Configuration
@EnableConfigurationProperties(LatticeProperties.class)
class LatticeConfiguration {

    /** Lattices are snapshotted every so many events: one with many operations is not replayed from its creation. */
    @Bean
    SnapshotTriggerDefinition latticeSnapshotTrigger(Snapshotter snapshotter, LatticeProperties settings) {
        return new EventCountSnapshotTriggerDefinition(snapshotter, settings.snapshotThreshold());
    }

    @Bean(destroyMethod = "close")
    LatticeCompute latticeCompute(LatticeProperties settings) {
        return LatticeCompute.from(settings);
    }

    @Bean
    LatticeDefinitions latticeDefinitions(@Lazy org.axonframework.config.Configuration axon,
                                          LatticeProperties settings) {
        return new LatticeDefinitions((tenantId, latticeId) -> LatticeDefinitions.load(
                axon.repository(LatticeAggregate.class), tenantId, latticeId), settings.definitionCacheBytes());
    }

    @Bean
    LatticeService latticeService(CommandGateway commands, LatticeDefinitions definitions, LatticeCompute compute,
                                  LatticeProperties settings, Clock clock) {
        return new LatticeService(commands, definitions, compute, settings, clock);
    }
}
