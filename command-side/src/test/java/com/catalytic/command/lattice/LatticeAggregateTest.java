package com.catalytic.command.lattice;

import static com.catalytic.command.DomainExceptionMatchers.hasCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.catalytic.api.error.DomainException.Kind;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Role;
import com.catalytic.api.lattice.LatticeMessages.DeleteLatticeCommand;
import com.catalytic.api.lattice.LatticeMessages.LatticeCreatedEvent;
import com.catalytic.api.lattice.LatticeMessages.LatticeDeletedEvent;
import com.catalytic.api.lattice.LatticeMessages.LatticeOperationPerformedEvent;
import com.catalytic.api.lattice.LatticeMessages.RecordLatticeOperationCommand;
import com.catalytic.command.lattice.engine.LatticeDefinition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A lattice answers only its own tenant, and only until it is deleted. */
class LatticeAggregateTest {

    private static final String LATTICE_ID = "lattice-1";
    private static final String TENANT_ID = "tenant-1";
    private static final String OTHER_TENANT = "tenant-2";
    private static final Actor MEMBER = new Actor("user-member", Role.MEMBER, null);
    private static final Instant AT = Instant.parse("2026-01-05T10:00:00Z");
    private static final Map<String, Object> PARAMETERS = Map.of("start", List.of(0, 0), "end", List.of(2, 2));
    private static final Map<String, Object> RESULT = Map.of("reachable", true, "length", 4L);

    private AggregateTestFixture<LatticeAggregate> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(LatticeAggregate.class);
    }

    static LatticeCreatedEvent created() {
        return new LatticeCreatedEvent(LATTICE_ID, TENANT_ID, "grid", 2, 3, List.of(List.of(1, 1)), "8", "8",
                64 + 48 + 48, "user-owner");
    }

    @Test
    void itsTenantDeletesIt() {
        fixture.given(created())
               .when(new DeleteLatticeCommand(LATTICE_ID, TENANT_ID, MEMBER))
               .expectEvents(new LatticeDeletedEvent(LATTICE_ID, TENANT_ID, "user-member"));
    }

    @Test
    void anotherTenantFindsNothingToDelete() {
        fixture.given(created())
               .when(new DeleteLatticeCommand(LATTICE_ID, OTHER_TENANT, MEMBER))
               .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
               .expectNoEvents();
    }

    @Test
    void aDeletedLatticeIsNotFoundAgain() {
        fixture.given(created(), new LatticeDeletedEvent(LATTICE_ID, TENANT_ID, "user-owner"))
               .when(new DeleteLatticeCommand(LATTICE_ID, TENANT_ID, MEMBER))
               .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
               .expectNoEvents();
    }

    @Test
    void anOperationIsRecordedAsPerformed() {
        fixture.given(created())
               .when(record(TENANT_ID))
               .expectEvents(new LatticeOperationPerformedEvent(LATTICE_ID, TENANT_ID, "op-1", "path", PARAMETERS,
                       RESULT, 12, 1, AT, "user-member"));
    }

    @Test
    void aRepeatedComputationIsNotRecordedTwice() {
        LatticeOperationPerformedEvent first = new LatticeOperationPerformedEvent(LATTICE_ID, TENANT_ID, "op-1", "path",
                PARAMETERS, RESULT, 12, 1, AT, "user-member");
        fixture.given(created(), first)
               .when(record(TENANT_ID))
               .expectException(hasCode(Kind.CONFLICT, "already_applied", null))
               .expectNoEvents();
        // another computation after it is recorded
        fixture.given(created(), first)
               .when(new RecordLatticeOperationCommand(LATTICE_ID, TENANT_ID, "op-2", "path", PARAMETERS, RESULT, 12,
                       1, AT, MEMBER))
               .expectEvents(new LatticeOperationPerformedEvent(LATTICE_ID, TENANT_ID, "op-2", "path", PARAMETERS,
                       RESULT, 12, 1, AT, "user-member"));
    }

    @Test
    void noOperationIsRecordedOnADeletedLatticeOrForAnotherTenant() {
        fixture.given(created(), new LatticeDeletedEvent(LATTICE_ID, TENANT_ID, "user-owner"))
               .when(record(TENANT_ID))
               .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
               .expectNoEvents();
        fixture.given(created())
               .when(record(OTHER_TENANT))
               .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
               .expectNoEvents();
    }

    @Test
    void theDefinitionIsReadFromTheEventsForItsTenantOnly() {
        fixture.given(created());
        LatticeDefinition definition = LatticeDefinitions.load(fixture.getRepository(), TENANT_ID, LATTICE_ID);
        assertThat(definition.dimensions()).isEqualTo(2);
        assertThat(definition.size()).isEqualTo(3);
        assertThat(definition.obstacles()).containsExactly(List.of(1, 1));
        assertThat(definition.vertexCount()).hasToString("8");

        assertThatThrownBy(() -> LatticeDefinitions.load(fixture.getRepository(), OTHER_TENANT, LATTICE_ID))
                .isInstanceOfSatisfying(DomainException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
    }

    @Test
    void aDeletedLatticeHasNoDefinitionToComputeOn() {
        fixture.given(created(), new LatticeDeletedEvent(LATTICE_ID, TENANT_ID, "user-owner"));
        assertThatThrownBy(() -> LatticeDefinitions.load(fixture.getRepository(), TENANT_ID, LATTICE_ID))
                .isInstanceOfSatisfying(DomainException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
    }

    private static RecordLatticeOperationCommand record(String tenantId) {
        return new RecordLatticeOperationCommand(LATTICE_ID, tenantId, "op-1", "path", PARAMETERS, RESULT, 12, 1, AT,
                MEMBER);
    }
}
