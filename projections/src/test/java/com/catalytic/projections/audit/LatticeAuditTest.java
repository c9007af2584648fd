package com.catalytic.projections.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.lattice.LatticeMessages.LatticeCreatedEvent;
import com.catalytic.api.lattice.LatticeMessages.LatticeDeletedEvent;
import com.catalytic.api.lattice.LatticeMessages.LatticeOperationPerformedEvent;
import com.catalytic.api.lattice.LatticeMessages.TenantLatticeAddedEvent;
import com.catalytic.api.lattice.LatticeMessages.TenantLatticeReleasedEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.junit.jupiter.api.Test;

class LatticeAuditTest {

    static AuditActions.Action action(Object payload) {
        return AuditActions.of(payload, new GenericDomainEventMessage<>("lattice", "l1", 0, payload));
    }

    static LatticeOperationPerformedEvent operation(String name) {
        return new LatticeOperationPerformedEvent("l1", "t1", "o1", name, Map.of(), Map.of(), 1, 1, Instant.EPOCH, "u1");
    }

    @Test
    void latticeEventsHaveTheirStableActions() {
        assertThat(action(new LatticeCreatedEvent("l1", "t1", null, 2, 3, List.of(), "9", "12", 64, "u1")))
                .isEqualTo(new AuditActions.Action("lattice.created", "lattice", "l1"));
        assertThat(action(new LatticeDeletedEvent("l1", "t1", "u1")))
                .isEqualTo(new AuditActions.Action("lattice.deleted", "lattice", "l1"));
        assertThat(action(new TenantLatticeAddedEvent("t1", "l1")))
                .isEqualTo(new AuditActions.Action("tenant.lattice_added", "lattice", "l1"));
        assertThat(action(new TenantLatticeReleasedEvent("t1", "l1")))
                .isEqualTo(new AuditActions.Action("tenant.lattice_released", "lattice", "l1"));
        assertThat(action(operation("path")).name()).isEqualTo("lattice.path_computed");
        assertThat(action(operation("analyze")).name()).isEqualTo("lattice.analyzed");
        assertThat(action(operation("Flood Fill!")).name()).isEqualTo("lattice.floodfill_performed");
        assertThat(action(operation("x".repeat(200))).name()).hasSizeLessThanOrEqualTo(64);
        assertThat(action(operation(null)).name()).isEqualTo("lattice.operation_performed");
    }

    @Test
    void aLongObstacleListIsCountedNotCutIntoInvalidJson() throws Exception {
        List<List<Integer>> obstacles = IntStream.range(0, 5000).mapToObj(i -> List.of(i, i)).toList();
        String changes = AuditProjection.changes(new LatticeCreatedEvent("l1", "t1", "big", 2, 10000, obstacles,
                "99995000", "199980000", 80064, "u1"));
        assertThat(changes.length()).isLessThanOrEqualTo(AuditProjection.MAX_CHANGES);
        JsonNode json = new ObjectMapper().readTree(changes);
        assertThat(json.path("obstacles").path("omitted_items").asInt()).isEqualTo(5000);
        assertThat(json.path("lattice_id").asText()).isEqualTo("l1");
        assertThat(json.path("vertices").asText()).isEqualTo("99995000");

        // a short list stays as it is
        String small = AuditProjection.changes(new LatticeCreatedEvent("l1", "t1", "s", 2, 3, List.of(List.of(1, 1)),
                "8", "8", 72, "u1"));
        assertThat(new ObjectMapper().readTree(small).path("obstacles").toString()).isEqualTo("[[1,1]]");
    }
}
