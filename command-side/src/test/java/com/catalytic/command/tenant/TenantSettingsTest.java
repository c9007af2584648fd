package com.catalytic.command.tenant;

import static com.catalytic.command.DomainExceptionMatchers.hasCode;

import com.catalytic.api.error.DomainException.Kind;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Role;
import com.catalytic.api.plan.PlanCatalogue;
import com.catalytic.api.tenant.TenantCommands.ChangePlanCommand;
import com.catalytic.api.tenant.TenantCommands.ReinstateTenantCommand;
import com.catalytic.api.tenant.TenantCommands.RenameTenantCommand;
import com.catalytic.api.tenant.TenantCommands.SuspendTenantCommand;
import com.catalytic.api.tenant.TenantCommands;
import com.catalytic.api.tenant.TenantEvents.TenantPlanChangedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantReinstatedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantRenamedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantSuspendedEvent;
import com.catalytic.api.tenant.TenantEvents.UserAddedEvent;
import com.catalytic.api.tenant.TenantRegisteredEvent;
import com.catalytic.command.personal.UnsealedPersonalData;
import com.catalytic.command.uniqueness.InMemoryUniqueKeyRegistry;
import com.catalytic.command.user.UserAggregate;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/** The tenant's own settings: its name (owners), suspension and plan (the system only). */
class TenantSettingsTest {

    private static final String TENANT_ID = "tenant-1";
    private static final String OWNER_ID = "user-1";
    private static final String COMPANY = "Acme Corp";
    private static final String REASON = "unpaid invoice";

    private static final Actor SYSTEM = Actor.system();
    private static final Actor OWNER = new Actor(OWNER_ID, Role.OWNER, null);
    // an owner acting through one of their API keys is still not the system
    private static final Actor OWNER_KEY = new Actor(OWNER_ID, Role.OWNER, "key-1");

    private AggregateTestFixture<TenantAggregate> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(TenantAggregate.class);
        fixture.registerInjectableResource(new UnsealedPersonalData());
        fixture.registerRepositoryProvider(
                new CreatedAggregateRepositoryProvider(fixture.getEventStore(), UserAggregate.class));
        fixture.registerInjectableResource(new InMemoryUniqueKeyRegistry());
        fixture.registerInjectableResource(new BCryptPasswordEncoder(4));
        fixture.registerInjectableResource(PlanCatalogue.defaults());
    }

    // --- rename

    @Test
    void anOwnerRenamesTheTenantToTheTrimmedName() {
        fixture.given(registered())
               .when(new RenameTenantCommand(TENANT_ID, "  Acme Industries \t", OWNER))
               .expectSuccessfulHandlerExecution()
               .expectEvents(new TenantRenamedEvent(TENANT_ID, "Acme Industries"));
    }

    @Test
    void theSystemMayRenameTheTenant() {
        fixture.given(registered())
               .when(new RenameTenantCommand(TENANT_ID, "Acme Industries", SYSTEM))
               .expectEvents(new TenantRenamedEvent(TENANT_ID, "Acme Industries"));
    }

    @ParameterizedTest
    @EnumSource(value = Role.class, names = {"ADMIN", "MEMBER", "VIEWER"})
    void onlyOwnersRenameTheTenant(Role role) {
        String userId = "user-" + role.wire();
        fixture.given(registered(), added(userId, role))
               .when(new RenameTenantCommand(TENANT_ID, "Acme Industries", new Actor(userId, role, null)))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
               .expectNoEvents();
    }

    @ParameterizedTest
    @ValueSource(strings = {COMPANY, "  " + COMPANY + "  "})
    void renamingToTheCurrentNameIsANoOp(String name) {
        fixture.given(registered())
               .when(new RenameTenantCommand(TENANT_ID, name, OWNER))
               .expectSuccessfulHandlerExecution()
               .expectNoEvents();
    }

    @Test
    void theCurrentNameIsTheLatestRename() {
        fixture.given(registered(), new TenantRenamedEvent(TENANT_ID, "Acme Industries"))
               .when(new RenameTenantCommand(TENANT_ID, "Acme Industries", OWNER))
               .expectSuccessfulHandlerExecution()
               .expectNoEvents();
    }

    @Test
    void theOriginalNameCanBeTakenBackAfterARename() {
        fixture.given(registered(), new TenantRenamedEvent(TENANT_ID, "Acme Industries"))
               .when(new RenameTenantCommand(TENANT_ID, COMPANY, OWNER))
               .expectEvents(new TenantRenamedEvent(TENANT_ID, COMPANY));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "\t\n"})
    void aBlankNameIsRejected(String name) {
        fixture.given(registered())
               .when(new RenameTenantCommand(TENANT_ID, name, OWNER))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.VALIDATION, "invalid_name", "name"))
               .expectNoEvents();
    }

    @Test
    void aNameOver200CharactersIsRejected() {
        fixture.given(registered())
               .when(new RenameTenantCommand(TENANT_ID, "x".repeat(201), OWNER))
               .expectException(hasCode(Kind.VALIDATION, "invalid_name", "name"))
               .expectNoEvents();
    }

    @Test
    void aNameOf200CharactersIsAccepted() {
        fixture.given(registered())
               .when(new RenameTenantCommand(TENANT_ID, "x".repeat(200), OWNER))
               .expectEvents(new TenantRenamedEvent(TENANT_ID, "x".repeat(200)));
    }

    // --- suspension

    @Test
    void theSystemSuspendsTheTenant() {
        fixture.given(registered())
               .when(new SuspendTenantCommand(TENANT_ID, REASON, SYSTEM))
               .expectSuccessfulHandlerExecution()
               .expectEvents(new TenantSuspendedEvent(TENANT_ID, REASON));
    }

    // --- billing

    private static final String NON_PAYMENT = "non-payment: 3 payments failed in a row; pay the open invoice to "
            + "reinstate it";

    @Test
    void billingSetsThePlanAndSuspendsForNonPaymentInOneCommand() {
        fixture.given(registered())
               .when(new TenantCommands.ApplyBillingStatusCommand(TENANT_ID, "professional",
                       true, 3, SYSTEM))
               .expectEvents(new TenantPlanChangedEvent(TENANT_ID, "free", "professional"),
                       new TenantSuspendedEvent(TENANT_ID, NON_PAYMENT));
    }

    @Test
    void billingChangesNothingWhenTheTenantIsAlreadyThere() {
        fixture.given(registered(), new TenantPlanChangedEvent(TENANT_ID, "free", "starter"))
               .when(new TenantCommands.ApplyBillingStatusCommand(TENANT_ID, "starter",
                       false, 0, SYSTEM))
               .expectNoEvents();
    }

    @Test
    void aPaymentLiftsASuspensionForNonPaymentOnly() {
        fixture.given(registered(), new TenantSuspendedEvent(TENANT_ID, NON_PAYMENT))
               .when(new TenantCommands.ApplyBillingStatusCommand(TENANT_ID, "free", false,
                       0, SYSTEM))
               .expectEvents(new TenantReinstatedEvent(TENANT_ID, "invoice paid"));
        fixture.given(registered(), new TenantSuspendedEvent(TENANT_ID, REASON))
               .when(new TenantCommands.ApplyBillingStatusCommand(TENANT_ID, "free", false,
                       0, SYSTEM))
               .expectNoEvents();
    }

    @Test
    void onlyTheSystemAppliesBillingAndOnlyKnownPlans() {
        fixture.given(registered())
               .when(new TenantCommands.ApplyBillingStatusCommand(TENANT_ID, "enterprise",
                       false, 0, OWNER))
               .expectException(DomainException.class).expectNoEvents();
        fixture.given(registered())
               .when(new TenantCommands.ApplyBillingStatusCommand(TENANT_ID, "platinum",
                       false, 0, SYSTEM))
               .expectException(DomainException.class).expectNoEvents();
    }

    @Test
    void suspendingASuspendedTenantIsANoOp() {
        fixture.given(registered(), new TenantSuspendedEvent(TENANT_ID, REASON))
               .when(new SuspendTenantCommand(TENANT_ID, "again", SYSTEM))
               .expectSuccessfulHandlerExecution()
               .expectNoEvents();
    }

    @Test
    void aReinstatedTenantCanBeSuspendedAgain() {
        fixture.given(registered(), new TenantSuspendedEvent(TENANT_ID, REASON),
                      new TenantReinstatedEvent(TENANT_ID, "paid"))
               .when(new SuspendTenantCommand(TENANT_ID, "again", SYSTEM))
               .expectEvents(new TenantSuspendedEvent(TENANT_ID, "again"));
    }

    @Test
    void anOwnerCannotSuspendTheTenant() {
        fixture.given(registered())
               .when(new SuspendTenantCommand(TENANT_ID, REASON, OWNER))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
               .expectNoEvents();
    }

    @Test
    void anOwnersApiKeyCannotSuspendTheTenant() {
        fixture.given(registered())
               .when(new SuspendTenantCommand(TENANT_ID, REASON, OWNER_KEY))
               .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
               .expectNoEvents();
    }

    @Test
    void theSystemReinstatesASuspendedTenant() {
        fixture.given(registered(), new TenantSuspendedEvent(TENANT_ID, REASON))
               .when(new ReinstateTenantCommand(TENANT_ID, "paid", SYSTEM))
               .expectSuccessfulHandlerExecution()
               .expectEvents(new TenantReinstatedEvent(TENANT_ID, "paid"));
    }

    @Test
    void reinstatingAnActiveTenantIsANoOp() {
        fixture.given(registered())
               .when(new ReinstateTenantCommand(TENANT_ID, "paid", SYSTEM))
               .expectSuccessfulHandlerExecution()
               .expectNoEvents();
    }

    @Test
    void reinstatingTwiceIsANoOp() {
        fixture.given(registered(), new TenantSuspendedEvent(TENANT_ID, REASON),
                      new TenantReinstatedEvent(TENANT_ID, "paid"))
               .when(new ReinstateTenantCommand(TENANT_ID, "paid", SYSTEM))
               .expectSuccessfulHandlerExecution()
               .expectNoEvents();
    }

    @Test
    void anOwnerCannotReinstateTheTenant() {
        fixture.given(registered(), new TenantSuspendedEvent(TENANT_ID, REASON))
               .when(new ReinstateTenantCommand(TENANT_ID, "paid", OWNER))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
               .expectNoEvents();
    }

    @Test
    void anOwnersApiKeyCannotReinstateTheTenant() {
        fixture.given(registered(), new TenantSuspendedEvent(TENANT_ID, REASON))
               .when(new ReinstateTenantCommand(TENANT_ID, "paid", OWNER_KEY))
               .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
               .expectNoEvents();
    }

    // --- plan

    @ParameterizedTest
    @ValueSource(strings = {"starter", "professional", "enterprise"})
    void theSystemChangesThePlan(String plan) {
        fixture.given(registered())
               .when(new ChangePlanCommand(TENANT_ID, plan, SYSTEM))
               .expectSuccessfulHandlerExecution()
               .expectEvents(new TenantPlanChangedEvent(TENANT_ID, "free", plan));
    }

    @Test
    void thePreviousPlanIsTheLatestChange() {
        fixture.given(registered(), new TenantPlanChangedEvent(TENANT_ID, "free", "starter"))
               .when(new ChangePlanCommand(TENANT_ID, "professional", SYSTEM))
               .expectEvents(new TenantPlanChangedEvent(TENANT_ID, "starter", "professional"));
    }

    @Test
    void aTenantCanGoBackToTheFreePlan() {
        fixture.given(registered(), new TenantPlanChangedEvent(TENANT_ID, "free", "starter"))
               .when(new ChangePlanCommand(TENANT_ID, "free", SYSTEM))
               .expectEvents(new TenantPlanChangedEvent(TENANT_ID, "starter", "free"));
    }

    @Test
    void changingToTheCurrentPlanIsANoOp() {
        fixture.given(registered())
               .when(new ChangePlanCommand(TENANT_ID, "free", SYSTEM))
               .expectSuccessfulHandlerExecution()
               .expectNoEvents();
    }

    @Test
    void changingToTheCurrentPlanAfterAChangeIsANoOp() {
        fixture.given(registered(), new TenantPlanChangedEvent(TENANT_ID, "free", "starter"))
               .when(new ChangePlanCommand(TENANT_ID, "starter", SYSTEM))
               .expectSuccessfulHandlerExecution()
               .expectNoEvents();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"gold", "Starter", " starter"})
    void anUnknownPlanIsRejected(String plan) {
        fixture.given(registered())
               .when(new ChangePlanCommand(TENANT_ID, plan, SYSTEM))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.VALIDATION, "unknown_plan", "plan"))
               .expectNoEvents();
    }

    @Test
    void anOwnerCannotChangeThePlan() {
        fixture.given(registered())
               .when(new ChangePlanCommand(TENANT_ID, "enterprise", OWNER))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
               .expectNoEvents();
    }

    @Test
    void anOwnersApiKeyCannotChangeThePlan() {
        fixture.given(registered())
               .when(new ChangePlanCommand(TENANT_ID, "enterprise", OWNER_KEY))
               .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
               .expectNoEvents();
    }

    private static TenantRegisteredEvent registered() {
        return new TenantRegisteredEvent(TENANT_ID, COMPANY, "acme-corp", "free", OWNER_ID, "owner@acme.io");
    }

    private static UserAddedEvent added(String userId, Role role) {
        return new UserAddedEvent(TENANT_ID, userId, userId + "@acme.io", role, false, OWNER_ID);
    }
}
