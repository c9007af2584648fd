package com.catalytic.command.tenant;

import static com.catalytic.command.DomainExceptionMatchers.hasCode;
import static com.catalytic.command.EventPayloads.inOrder;
import static com.catalytic.command.tenant.TenantHistory.MEMBER;
import static com.catalytic.command.tenant.TenantHistory.MEMBER_ID;
import static com.catalytic.command.tenant.TenantHistory.OWNER;
import static com.catalytic.command.tenant.TenantHistory.OWNER_ID;
import static com.catalytic.command.tenant.TenantHistory.TENANT_ID;
import static com.catalytic.command.tenant.TenantHistory.VIEWER;
import static com.catalytic.command.tenant.TenantHistory.planChanged;
import static com.catalytic.command.tenant.TenantHistory.registered;
import static com.catalytic.command.tenant.TenantHistory.suspended;
import static com.catalytic.command.tenant.TenantHistory.team;
import static org.assertj.core.api.Assertions.assertThat;
import static org.axonframework.test.matchers.Matchers.payloadsMatching;
import static org.hamcrest.Matchers.equalTo;

import com.catalytic.api.error.DomainException.Kind;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Role;
import com.catalytic.api.identity.Scopes;
import com.catalytic.api.lattice.LatticeMessages.CreateLatticeCommand;
import com.catalytic.api.lattice.LatticeMessages.LatticeCreatedEvent;
import com.catalytic.api.lattice.LatticeMessages.ReleaseLatticeCommand;
import com.catalytic.api.lattice.LatticeMessages.TenantLatticeAddedEvent;
import com.catalytic.api.lattice.LatticeMessages.TenantLatticeReleasedEvent;
import com.catalytic.api.plan.PlanCatalogue;
import com.catalytic.command.lattice.LatticeAggregate;
import com.catalytic.command.lattice.LatticeCreation;
import com.catalytic.command.lattice.engine.LatticeDefinition;
import com.catalytic.command.personal.UnsealedPersonalData;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.hamcrest.Description;
import org.hamcrest.Matchers;
import org.hamcrest.TypeSafeMatcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Creating a lattice: the tenant checks who asks, its plan's limits and the definition, takes a slot of its lattice
 * count ({@code TenantLatticeAddedEvent}) and creates the lattice, whose own stream starts with its exact counts.
 */
class TenantLatticesTest {

    private static final String LATTICE_ID = "lattice-1";

    private AggregateTestFixture<TenantAggregate> fixture;
    private CreatedAggregateRepositoryProvider createdAggregates;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(TenantAggregate.class);
        fixture.registerInjectableResource(new UnsealedPersonalData());
        createdAggregates = new CreatedAggregateRepositoryProvider(fixture.getEventStore(), LatticeAggregate.class);
        fixture.registerRepositoryProvider(createdAggregates);
        fixture.registerInjectableResource(PlanCatalogue.defaults());
    }

    @Test
    void aMemberCreatesALatticeAndItsStreamStartsWithTheExactCounts() {
        LatticeCreatedEvent created = new LatticeCreatedEvent(LATTICE_ID, TENANT_ID, "grid", 3, 10, List.of(),
                "1000", "2700", bytes(3, 10, List.of()), MEMBER_ID);
        fixture.given(team())
               .when(create(MEMBER, "  grid ", 3, 10, null))
               .expectSuccessfulHandlerExecution()
               .expectEventsMatching(payloadsMatching(inOrder(
                       equalTo(new TenantLatticeAddedEvent(TENANT_ID, LATTICE_ID)), equalTo(created))));

        List<DomainEventMessage<?>> latticeEvents = createdAggregates.publishedEvents();
        assertThat(latticeEvents).singleElement().satisfies(event -> {
            assertThat(event.getType()).isEqualTo("lattice");
            assertThat(event.getAggregateIdentifier()).isEqualTo(LATTICE_ID);
            assertThat(event.getSequenceNumber()).isZero();
        });
    }

    @Test
    void theAnswerCarriesTheCountsAndTheTimeOfTheLatticesFirstEvent() {
        fixture.given(team()).when(create(MEMBER, null, 3, 10, null)).expectResultMessagePayloadMatching(
                new TypeSafeMatcher<LatticeCreation>() {
                    @Override
                    protected boolean matchesSafely(LatticeCreation c) {
                        return c.id().equals(LATTICE_ID) && c.name() == null && c.vertices().equals("1000")
                                && c.edges().equals("2700") && c.obstacles() == 0 && c.createdAt() != null
                                && c.createdAt().equals(createdAggregates.publishedEvents().get(0).getTimestamp());
                    }

                    @Override
                    public void describeTo(Description d) {
                        d.appendText("the lattice's counts and the timestamp of its LatticeCreatedEvent");
                    }
                });
    }

    @Test
    void obstaclesAreStoredDistinctAndSortedAndLeaveTheirVerticesAndEdgesOut() {
        // two obstacles side by side in a 2-D 3x3 grid: 9 - 2 vertices; 12 edges - (3 + 4 incident - 1 shared)
        List<List<Integer>> obstacles = List.of(List.of(1, 1), List.of(0, 1), List.of(1, 1));
        fixture.given(team())
               .when(create(OWNER, null, 2, 3, obstacles))
               .expectEventsMatching(payloadsMatching(inOrder(
                       equalTo(new TenantLatticeAddedEvent(TENANT_ID, LATTICE_ID)),
                       equalTo(new LatticeCreatedEvent(LATTICE_ID, TENANT_ID, null, 2, 3,
                               List.of(List.of(0, 1), List.of(1, 1)), "7", "6", bytes(2, 3, obstacles),
                               OWNER_ID)))));
    }

    @Test
    void anEnterpriseLatticeOfTenDimensionsAndAThousandPointsPerSideIsCountedExactly() {
        BigInteger n = BigInteger.valueOf(1000);
        String edges = BigInteger.TEN.multiply(n.pow(9)).multiply(BigInteger.valueOf(999)).toString();
        fixture.given(registered(), planChanged("free", "enterprise"))
               .when(create(OWNER, null, 10, 1000, null))
               .expectEventsMatching(payloadsMatching(inOrder(
                       equalTo(new TenantLatticeAddedEvent(TENANT_ID, LATTICE_ID)),
                       equalTo(new LatticeCreatedEvent(LATTICE_ID, TENANT_ID, null, 10, 1000, List.of(),
                               "1" + "0".repeat(30), edges, bytes(10, 1000, List.of()), OWNER_ID)))));
    }

    @ParameterizedTest(name = "[{index}] {0}-D, size {1}, {2} obstacles on free → {3}")
    @CsvSource({
            "3, 10, 100, ",
            "4, 10, 0, max_dimensions",
            "3, 11, 0, max_size",
            "3, 10, 101, max_obstacles",
    })
    void theFreePlansLimitsAreNamedWithTheirValue(int dimensions, int size, int obstacles, String limit) {
        List<List<Integer>> blocked = new ArrayList<>();
        for (int i = 0; i < obstacles; i++) {
            blocked.add(List.of(i / 10, i % 10, 0));
        }
        var result = fixture.given(registered()).when(create(OWNER, null, dimensions, size, blocked));
        if (limit == null) {
            result.expectSuccessfulHandlerExecution();
            return;
        }
        String value = Map.of("max_dimensions", "3", "max_size", "10", "max_obstacles", "100").get(limit);
        result.expectException(hasCode(Kind.PAYMENT_REQUIRED, "plan_limit", null))
              .expectExceptionMessage(Matchers.allOf(
                      Matchers.containsString(limit + " = " + value),
                      Matchers.containsString("free")))
              .expectNoEvents();
        assertThat(createdAggregates.publishedEvents()).isEmpty();
    }

    @Test
    void theSixthLiveLatticeOnFreeIsRefusedAndAReleasedSlotCanBeTakenAgain() {
        List<Object> five = new ArrayList<>(List.of(registered()));
        for (int i = 1; i <= 5; i++) {
            five.add(new TenantLatticeAddedEvent(TENANT_ID, "lattice-old-" + i));
        }
        fixture.given(five)
               .when(create(OWNER, null, 2, 2, null))
               .expectException(hasCode(Kind.PAYMENT_REQUIRED, "plan_limit", null))
               .expectExceptionMessage(Matchers.containsString("lattices = 5"))
               .expectNoEvents();

        five.add(new TenantLatticeReleasedEvent(TENANT_ID, "lattice-old-3"));
        fixture.given(five)
               .when(create(OWNER, null, 2, 2, null))
               .expectSuccessfulHandlerExecution();
    }

    @Test
    void aViewerMayNotCreateALattice() {
        fixture.given(team())
               .when(create(VIEWER, null, 2, 2, null))
               .expectException(hasCode(Kind.FORBIDDEN, "insufficient_scope", null))
               .expectNoEvents();
    }

    @Test
    void throughAnApiKeyTheKeyMustHoldLatticesWrite() {
        Actor readOnlyKey = new Actor(OWNER_ID, Role.OWNER, "key-1", Set.of(Scopes.LATTICES_READ));
        fixture.given(team())
               .when(create(readOnlyKey, null, 2, 2, null))
               .expectException(hasCode(Kind.FORBIDDEN, "insufficient_scope", null))
               .expectNoEvents();

        Actor writingKey = new Actor(OWNER_ID, Role.OWNER, "key-2", Set.of(Scopes.LATTICES_WRITE));
        fixture.given(team())
               .when(create(writingKey, null, 2, 2, null))
               .expectSuccessfulHandlerExecution();
    }

    @Test
    void aSuspendedTenantCreatesNoLattice() {
        fixture.given(team(suspended()))
               .when(create(OWNER, null, 2, 2, null))
               .expectException(hasCode(Kind.FORBIDDEN, "tenant_suspended", null))
               .expectNoEvents();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "dimensions | 0 | 3 | 0,0",
            "size       | 2 | 0 | 0,0",
            "obstacles  | 2 | 3 | 0,3",
            "obstacles  | 2 | 3 | 0",
    })
    void aDefinitionTheEngineRefusesIsAnsweredNamingTheField(String field, int dimensions, int size,
                                                             String obstacle) {
        List<Integer> coordinates = Arrays.stream(obstacle.split(",")).map(Integer::valueOf).toList();
        fixture.given(team())
               .when(create(OWNER, null, dimensions, size, List.of(coordinates)))
               .expectException(hasCode(Kind.VALIDATION, "invalid_" + field, field))
               .expectNoEvents();
    }

    @Test
    void aNameLongerThanAHundredCharactersIsRefused() {
        fixture.given(team())
               .when(create(OWNER, "x".repeat(101), 2, 2, null))
               .expectException(hasCode(Kind.VALIDATION, "invalid_name", "name"))
               .expectNoEvents();
    }

    @Test
    void releasingFreesTheSlotOnceAndAnUnknownLatticeChangesNothing() {
        TenantLatticeAddedEvent added = new TenantLatticeAddedEvent(TENANT_ID, LATTICE_ID);
        fixture.given(team(added))
               .when(new ReleaseLatticeCommand(TENANT_ID, LATTICE_ID))
               .expectEvents(new TenantLatticeReleasedEvent(TENANT_ID, LATTICE_ID));
        fixture.given(team(added, new TenantLatticeReleasedEvent(TENANT_ID, LATTICE_ID)))
               .when(new ReleaseLatticeCommand(TENANT_ID, LATTICE_ID))
               .expectSuccessfulHandlerExecution()
               .expectNoEvents();
        fixture.given(team())
               .when(new ReleaseLatticeCommand(TENANT_ID, "someone-elses"))
               .expectSuccessfulHandlerExecution()
               .expectNoEvents();
    }

    /** What the engine's representation holds: the aggregate reports it, it does not decide it. */
    private static long bytes(int dimensions, int size, List<List<Integer>> obstacles) {
        return LatticeDefinition.of(dimensions, size, obstacles).memoryBytes();
    }

    private static CreateLatticeCommand create(Actor actor, String name, int dimensions, int size,
                                               List<List<Integer>> obstacles) {
        return new CreateLatticeCommand(TENANT_ID, LATTICE_ID, name, dimensions, size, obstacles, actor);
    }
}
