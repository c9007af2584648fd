package com.catalytic.command.tenant;

import static com.catalytic.command.DomainExceptionMatchers.hasCode;
import static com.catalytic.command.tenant.TenantHistory.ADMIN;
import static com.catalytic.command.tenant.TenantHistory.ADMIN_ID;
import static com.catalytic.command.tenant.TenantHistory.MEMBER;
import static com.catalytic.command.tenant.TenantHistory.MEMBER_ID;
import static com.catalytic.command.tenant.TenantHistory.OWNER;
import static com.catalytic.command.tenant.TenantHistory.OWNER_ID;
import static com.catalytic.command.tenant.TenantHistory.SECOND_OWNER;
import static com.catalytic.command.tenant.TenantHistory.SECOND_OWNER_ID;
import static com.catalytic.command.tenant.TenantHistory.TENANT_ID;
import static com.catalytic.command.tenant.TenantHistory.VIEWER;
import static com.catalytic.command.tenant.TenantHistory.VIEWER_ID;
import static com.catalytic.command.tenant.TenantHistory.actor;
import static com.catalytic.command.tenant.TenantHistory.added;
import static com.catalytic.command.tenant.TenantHistory.deactivated;
import static com.catalytic.command.tenant.TenantHistory.emailOf;
import static com.catalytic.command.tenant.TenantHistory.onPlanWithActiveUsers;
import static com.catalytic.command.tenant.TenantHistory.planChanged;
import static com.catalytic.command.tenant.TenantHistory.reactivated;
import static com.catalytic.command.tenant.TenantHistory.registered;
import static com.catalytic.command.tenant.TenantHistory.removed;
import static com.catalytic.command.tenant.TenantHistory.suspended;
import static com.catalytic.command.tenant.TenantHistory.team;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.error.DomainException.Kind;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Role;
import com.catalytic.api.identity.Scopes;
import com.catalytic.api.personal.PersonalDataMessages.ErasePersonalDataCommand;
import com.catalytic.api.personal.PersonalDataMessages.PersonalDataErasedEvent;
import com.catalytic.api.plan.PlanCatalogue;
import com.catalytic.api.tenant.TenantCommands.ChangeMemberCommand;
import com.catalytic.api.tenant.TenantCommands.ChangeUserRoleCommand;
import com.catalytic.api.tenant.TenantCommands.DeactivateUserCommand;
import com.catalytic.api.tenant.TenantCommands.ReactivateUserCommand;
import com.catalytic.api.tenant.TenantCommands.RemoveUserCommand;
import com.catalytic.api.tenant.TenantEvents.TenantReinstatedEvent;
import com.catalytic.api.tenant.TenantEvents.UserAddedEvent;
import com.catalytic.api.tenant.TenantEvents.UserDeactivatedEvent;
import com.catalytic.api.tenant.TenantEvents.UserReactivatedEvent;
import com.catalytic.api.tenant.TenantEvents.UserRemovedEvent;
import com.catalytic.api.tenant.TenantEvents.UserRoleChangedEvent;
import com.catalytic.command.personal.UnsealedPersonalData;
import com.catalytic.command.uniqueness.InMemoryUniqueKeyRegistry;
import com.catalytic.command.uniqueness.UniqueKeyRegistry.Scope;
import com.catalytic.command.user.UserAggregate;
import java.util.Set;
import java.util.TreeSet;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * Changing the roster: roles, deactivation, reactivation, removal. Roles: owner ⊃ admin ⊃ member ⊃ viewer; only
 * admins and owners manage users, nobody grants a role above their own, admins cannot touch owners and the tenant
 * always keeps an active owner. A user id that is not on the roster (another tenant's user) is not found.
 */
class TenantMembershipTest {

    private static final String STRANGER_ID = "user-of-another-tenant";

    private final InMemoryUniqueKeyRegistry registry = new InMemoryUniqueKeyRegistry();
    private AggregateTestFixture<TenantAggregate> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(TenantAggregate.class);
        fixture.registerInjectableResource(new UnsealedPersonalData());
        fixture.registerRepositoryProvider(
                new CreatedAggregateRepositoryProvider(fixture.getEventStore(), UserAggregate.class));
        fixture.registerInjectableResource(registry);
        fixture.registerInjectableResource(new BCryptPasswordEncoder(4));
        fixture.registerInjectableResource(PlanCatalogue.defaults());
    }

    private static UserRoleChangedEvent roleChanged(String userId, Role from, Role to) {
        return new UserRoleChangedEvent(TENANT_ID, userId, from, to);
    }

    @Nested
    class ChangeUserRole {

        @ParameterizedTest(name = "[{index}] owner makes the {0} {1}")
        @CsvSource({"MEMBER, ADMIN", "MEMBER, OWNER", "VIEWER, MEMBER", "ADMIN, VIEWER", "ADMIN, OWNER"})
        void anOwnerGivesAnyRole(Role from, Role to) {
            String userId = actor(from).userId();
            fixture.given(team())
                   .when(new ChangeUserRoleCommand(TENANT_ID, userId, to, OWNER))
                   .expectSuccessfulHandlerExecution()
                   .expectEvents(roleChanged(userId, from, to));
        }

        @ParameterizedTest(name = "[{index}] admin makes the {0} {1}")
        @CsvSource({"MEMBER, ADMIN", "VIEWER, MEMBER", "MEMBER, VIEWER", "VIEWER, ADMIN"})
        void anAdminGivesRolesUpToAdmin(Role from, Role to) {
            String userId = actor(from).userId();
            fixture.given(team())
                   .when(new ChangeUserRoleCommand(TENANT_ID, userId, to, ADMIN))
                   .expectSuccessfulHandlerExecution()
                   .expectEvents(roleChanged(userId, from, to));
        }

        @ParameterizedTest(name = "[{index}] owner's key with the scopes of {1} makes the {0} {1}")
        @CsvSource({"VIEWER, MEMBER", "MEMBER, ADMIN", "ADMIN, OWNER"})
        void throughAKeyAUserIsPromotedToARoleWhoseEveryScopeTheKeyHolds(Role from, Role to) {
            String userId = actor(from).userId();
            fixture.given(team())
                   .when(new ChangeUserRoleCommand(TENANT_ID, userId, to, ownersKey(Scopes.heldBy(to))))
                   .expectSuccessfulHandlerExecution()
                   .expectEvents(roleChanged(userId, from, to));
        }

        /** The attack of an admin holding an owner's key: promoting themselves to owner without tenant:manage. */
        @ParameterizedTest(name = "[{index}] owner's key with the scopes of {2} makes the {0} {1}")
        @CsvSource({"ADMIN, OWNER, ADMIN", "MEMBER, ADMIN, MEMBER", "VIEWER, MEMBER, VIEWER", "MEMBER, OWNER, MEMBER"})
        void throughAKeyNobodyIsPromotedAboveTheKey(Role from, Role to, Role keyScopesOf) {
            Set<String> scopes = new TreeSet<>(Scopes.heldBy(keyScopesOf));
            scopes.add(Scopes.USERS_MANAGE);
            fixture.given(team())
                   .when(new ChangeUserRoleCommand(TENANT_ID, actor(from).userId(), to, ownersKey(scopes)))
                   .expectException(hasCode(Kind.FORBIDDEN, "role_above_key", null))
                   .expectNoEvents();
        }

        @ParameterizedTest(name = "[{index}] a key holding only users:manage makes the {0} {1}")
        @CsvSource({"ADMIN, VIEWER", "MEMBER, VIEWER", "ADMIN, MEMBER"})
        void throughAKeyAUserIsDemotedWhateverTheKeysOtherScopes(Role from, Role to) {
            String userId = actor(from).userId();
            fixture.given(team())
                   .when(new ChangeUserRoleCommand(TENANT_ID, userId, to, ownersKey(Set.of(Scopes.USERS_MANAGE))))
                   .expectEvents(roleChanged(userId, from, to));
        }

        @Test
        void throughAKeyOfUnknownScopesNobodyIsPromoted() {
            fixture.given(team())
                   .when(new ChangeUserRoleCommand(TENANT_ID, MEMBER_ID, Role.ADMIN, new Actor(OWNER_ID, Role.OWNER,
                           "key-0")))
                   .expectException(hasCode(Kind.FORBIDDEN, "role_above_key", null))
                   .expectNoEvents();
        }

        private Actor ownersKey(Set<String> scopes) {
            return new Actor(OWNER_ID, Role.OWNER, "key-0", scopes);
        }

        @Test
        void anAdminDemotesAnotherAdmin() {
            fixture.given(team(added("user-admin-2", Role.ADMIN)))
                   .when(new ChangeUserRoleCommand(TENANT_ID, "user-admin-2", Role.MEMBER, ADMIN))
                   .expectEvents(roleChanged("user-admin-2", Role.ADMIN, Role.MEMBER));
        }

        @ParameterizedTest
        @ValueSource(strings = {MEMBER_ID, VIEWER_ID, ADMIN_ID})
        void anAdminCannotPromoteToOwner(String userId) {
            fixture.given(team())
                   .when(new ChangeUserRoleCommand(TENANT_ID, userId, Role.OWNER, ADMIN))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
                   .expectNoEvents();
        }

        @Test
        void anAdminCannotDemoteAnOwner() {
            // two active owners, so "last owner" is not what stops it
            fixture.given(team(added(SECOND_OWNER_ID, Role.OWNER)))
                   .when(new ChangeUserRoleCommand(TENANT_ID, SECOND_OWNER_ID, Role.ADMIN, ADMIN))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
                   .expectNoEvents();
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @EnumSource(value = Role.class, names = {"MEMBER", "VIEWER"})
        void membersAndViewersCannotChangeRoles(Role role) {
            fixture.given(team())
                   .when(new ChangeUserRoleCommand(TENANT_ID, VIEWER_ID, Role.VIEWER == role ? Role.MEMBER : Role.VIEWER,
                           actor(role)))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
                   .expectNoEvents();
        }

        @Test
        void aMemberCannotChangeTheirOwnRole() {
            fixture.given(team())
                   .when(new ChangeUserRoleCommand(TENANT_ID, MEMBER_ID, Role.VIEWER, MEMBER))
                   .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
                   .expectNoEvents();
        }

        @Test
        void theLastActiveOwnerCannotBeDemoted() {
            fixture.given(team())
                   .when(new ChangeUserRoleCommand(TENANT_ID, OWNER_ID, Role.ADMIN, OWNER))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.CONFLICT, "last_owner", null))
                   .expectNoEvents();
        }

        @Test
        void theSystemCannotDemoteTheLastActiveOwnerEither() {
            fixture.given(team())
                   .when(new ChangeUserRoleCommand(TENANT_ID, OWNER_ID, Role.MEMBER, Actor.system()))
                   .expectException(hasCode(Kind.CONFLICT, "last_owner", null))
                   .expectNoEvents();
        }

        @Test
        void anOwnerIsDemotedWhenAnotherActiveOwnerRemains() {
            fixture.given(team(added(SECOND_OWNER_ID, Role.OWNER)))
                   .when(new ChangeUserRoleCommand(TENANT_ID, OWNER_ID, Role.ADMIN, SECOND_OWNER))
                   .expectSuccessfulHandlerExecution()
                   .expectEvents(roleChanged(OWNER_ID, Role.OWNER, Role.ADMIN));
        }

        @Test
        void anOwnerDemotesThemselvesWhenAnotherActiveOwnerRemains() {
            fixture.given(team(added(SECOND_OWNER_ID, Role.OWNER)))
                   .when(new ChangeUserRoleCommand(TENANT_ID, OWNER_ID, Role.MEMBER, OWNER))
                   .expectEvents(roleChanged(OWNER_ID, Role.OWNER, Role.MEMBER));
        }

        @Test
        void aDeactivatedOwnerDoesNotCountAsTheOtherOwner() {
            fixture.given(team(added(SECOND_OWNER_ID, Role.OWNER), deactivated(SECOND_OWNER_ID)))
                   .when(new ChangeUserRoleCommand(TENANT_ID, OWNER_ID, Role.ADMIN, OWNER))
                   .expectException(hasCode(Kind.CONFLICT, "last_owner", null))
                   .expectNoEvents();
        }

        @Test
        void aDemotedOwnerDoesNotCountAsTheOtherOwner() {
            fixture.given(team(added(SECOND_OWNER_ID, Role.OWNER),
                               roleChanged(SECOND_OWNER_ID, Role.OWNER, Role.ADMIN)))
                   .when(new ChangeUserRoleCommand(TENANT_ID, OWNER_ID, Role.ADMIN, OWNER))
                   .expectException(hasCode(Kind.CONFLICT, "last_owner", null))
                   .expectNoEvents();
        }

        @Test
        void aDeactivatedOwnerCanBeDemotedWhileAnActiveOwnerRemains() {
            fixture.given(team(added(SECOND_OWNER_ID, Role.OWNER), deactivated(SECOND_OWNER_ID)))
                   .when(new ChangeUserRoleCommand(TENANT_ID, SECOND_OWNER_ID, Role.MEMBER, OWNER))
                   .expectEvents(roleChanged(SECOND_OWNER_ID, Role.OWNER, Role.MEMBER));
        }

        @Test
        void theNewRoleIsTheLatestChange() {
            fixture.given(team(roleChanged(MEMBER_ID, Role.MEMBER, Role.ADMIN)))
                   .when(new ChangeUserRoleCommand(TENANT_ID, MEMBER_ID, Role.VIEWER, OWNER))
                   .expectEvents(roleChanged(MEMBER_ID, Role.ADMIN, Role.VIEWER));
        }

        @Test
        void aPromotedOwnerCountsAsAnotherOwner() {
            fixture.given(team(roleChanged(ADMIN_ID, Role.ADMIN, Role.OWNER)))
                   .when(new ChangeUserRoleCommand(TENANT_ID, OWNER_ID, Role.ADMIN, OWNER))
                   .expectEvents(roleChanged(OWNER_ID, Role.OWNER, Role.ADMIN));
        }

        @Test
        void keepingTheSameRoleIsANoOp() {
            fixture.given(team())
                   .when(new ChangeUserRoleCommand(TENANT_ID, MEMBER_ID, Role.MEMBER, ADMIN))
                   .expectSuccessfulHandlerExecution()
                   .expectNoEvents();
        }

        @Test
        void keepingTheLastOwnerAnOwnerIsANoOp() {
            fixture.given(team())
                   .when(new ChangeUserRoleCommand(TENANT_ID, OWNER_ID, Role.OWNER, OWNER))
                   .expectSuccessfulHandlerExecution()
                   .expectNoEvents();
        }

        @Test
        void aMissingRoleIsRejected() {
            fixture.given(team())
                   .when(new ChangeUserRoleCommand(TENANT_ID, MEMBER_ID, null, OWNER))
                   .expectException(hasCode(Kind.VALIDATION, "invalid_role", "role"))
                   .expectNoEvents();
        }

        @ParameterizedTest
        @ValueSource(strings = {STRANGER_ID, ""})
        void aUserNotOnTheRosterIsNotFound(String userId) {
            fixture.given(team())
                   .when(new ChangeUserRoleCommand(TENANT_ID, userId, Role.VIEWER, OWNER))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
                   .expectNoEvents();
        }

        @Test
        void aRemovedUserIsNotFound() {
            fixture.given(team(removed(MEMBER_ID)))
                   .when(new ChangeUserRoleCommand(TENANT_ID, MEMBER_ID, Role.VIEWER, OWNER))
                   .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
                   .expectNoEvents();
        }

        @Test
        void aSuspendedTenantRejectsRoleChanges() {
            fixture.given(team(suspended()))
                   .when(new ChangeUserRoleCommand(TENANT_ID, MEMBER_ID, Role.ADMIN, OWNER))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.FORBIDDEN, "tenant_suspended", null))
                   .expectNoEvents();
        }

        @Test
        void aReinstatedTenantAcceptsRoleChangesAgain() {
            fixture.given(team(suspended(), new TenantReinstatedEvent(TENANT_ID, "paid")))
                   .when(new ChangeUserRoleCommand(TENANT_ID, MEMBER_ID, Role.ADMIN, OWNER))
                   .expectEvents(roleChanged(MEMBER_ID, Role.MEMBER, Role.ADMIN));
        }
    }

    @Nested
    class DeactivateUser {

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {ADMIN_ID, MEMBER_ID, VIEWER_ID})
        void anAdminDeactivatesAUserUpToAdmin(String userId) {
            fixture.given(team(added("user-admin-2", Role.ADMIN)))
                   .when(new DeactivateUserCommand(TENANT_ID, userId, new Actor("user-admin-2", Role.ADMIN, null)))
                   .expectSuccessfulHandlerExecution()
                   .expectEvents(new UserDeactivatedEvent(TENANT_ID, userId));
        }

        @Test
        void anOwnerDeactivatesAMember() {
            fixture.given(team())
                   .when(new DeactivateUserCommand(TENANT_ID, MEMBER_ID, OWNER))
                   .expectEvents(deactivated(MEMBER_ID));
        }

        @Test
        void deactivatingAnInactiveUserIsANoOp() {
            fixture.given(team(deactivated(MEMBER_ID)))
                   .when(new DeactivateUserCommand(TENANT_ID, MEMBER_ID, ADMIN))
                   .expectSuccessfulHandlerExecution()
                   .expectNoEvents();
        }

        @Test
        void aReactivatedUserCanBeDeactivatedAgain() {
            fixture.given(team(deactivated(MEMBER_ID), reactivated(MEMBER_ID)))
                   .when(new DeactivateUserCommand(TENANT_ID, MEMBER_ID, ADMIN))
                   .expectEvents(deactivated(MEMBER_ID));
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @EnumSource(value = Role.class, names = {"MEMBER", "VIEWER"})
        void membersAndViewersCannotDeactivateUsers(Role role) {
            fixture.given(team(added("user-viewer-2", Role.VIEWER)))
                   .when(new DeactivateUserCommand(TENANT_ID, "user-viewer-2", actor(role)))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
                   .expectNoEvents();
        }

        @Test
        void anAdminCannotDeactivateAnOwner() {
            fixture.given(team(added(SECOND_OWNER_ID, Role.OWNER)))
                   .when(new DeactivateUserCommand(TENANT_ID, SECOND_OWNER_ID, ADMIN))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
                   .expectNoEvents();
        }

        @Test
        void theLastActiveOwnerCannotBeDeactivated() {
            fixture.given(team())
                   .when(new DeactivateUserCommand(TENANT_ID, OWNER_ID, OWNER))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.CONFLICT, "last_owner", null))
                   .expectNoEvents();
        }

        @Test
        void theSystemCannotDeactivateTheLastActiveOwnerEither() {
            fixture.given(team())
                   .when(new DeactivateUserCommand(TENANT_ID, OWNER_ID, Actor.system()))
                   .expectException(hasCode(Kind.CONFLICT, "last_owner", null))
                   .expectNoEvents();
        }

        @Test
        void theLastActiveOwnerCannotBeDeactivatedWhenTheOtherOwnerIsInactive() {
            fixture.given(team(added(SECOND_OWNER_ID, Role.OWNER), deactivated(SECOND_OWNER_ID)))
                   .when(new DeactivateUserCommand(TENANT_ID, OWNER_ID, SECOND_OWNER))
                   .expectException(hasCode(Kind.CONFLICT, "last_owner", null))
                   .expectNoEvents();
        }

        @Test
        void anOwnerIsDeactivatedWhenAnotherActiveOwnerRemains() {
            fixture.given(team(added(SECOND_OWNER_ID, Role.OWNER)))
                   .when(new DeactivateUserCommand(TENANT_ID, SECOND_OWNER_ID, OWNER))
                   .expectSuccessfulHandlerExecution()
                   .expectEvents(deactivated(SECOND_OWNER_ID));
        }

        @ParameterizedTest
        @ValueSource(strings = {STRANGER_ID, ""})
        void aUserNotOnTheRosterIsNotFound(String userId) {
            fixture.given(team())
                   .when(new DeactivateUserCommand(TENANT_ID, userId, ADMIN))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
                   .expectNoEvents();
        }

        @Test
        void aRemovedUserIsNotFound() {
            fixture.given(team(removed(MEMBER_ID)))
                   .when(new DeactivateUserCommand(TENANT_ID, MEMBER_ID, ADMIN))
                   .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
                   .expectNoEvents();
        }

        @Test
        void aSuspendedTenantStillDeactivatesUsers() {
            // suspension blocks growing or changing access, not taking it away
            fixture.given(team(suspended()))
                   .when(new DeactivateUserCommand(TENANT_ID, MEMBER_ID, OWNER))
                   .expectEvents(deactivated(MEMBER_ID));
        }
    }

    @Nested
    class ReactivateUser {

        @ParameterizedTest(name = "[{index}] by {0}")
        @EnumSource(value = Role.class, names = {"OWNER", "ADMIN"})
        void anAdminOrOwnerReactivatesAUser(Role role) {
            fixture.given(team(deactivated(MEMBER_ID)))
                   .when(new ReactivateUserCommand(TENANT_ID, MEMBER_ID, actor(role)))
                   .expectSuccessfulHandlerExecution()
                   .expectEvents(new UserReactivatedEvent(TENANT_ID, MEMBER_ID));
        }

        @Test
        void reactivatingAnActiveUserIsANoOp() {
            fixture.given(team())
                   .when(new ReactivateUserCommand(TENANT_ID, MEMBER_ID, ADMIN))
                   .expectSuccessfulHandlerExecution()
                   .expectNoEvents();
        }

        @Test
        void reactivatingAReactivatedUserIsANoOp() {
            fixture.given(team(deactivated(MEMBER_ID), reactivated(MEMBER_ID)))
                   .when(new ReactivateUserCommand(TENANT_ID, MEMBER_ID, ADMIN))
                   .expectSuccessfulHandlerExecution()
                   .expectNoEvents();
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @EnumSource(value = Role.class, names = {"MEMBER", "VIEWER"})
        void membersAndViewersCannotReactivateUsers(Role role) {
            fixture.given(team(added("user-viewer-2", Role.VIEWER), deactivated("user-viewer-2")))
                   .when(new ReactivateUserCommand(TENANT_ID, "user-viewer-2", actor(role)))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
                   .expectNoEvents();
        }

        @ParameterizedTest(name = "[{index}] {0} with {1} active users")
        @CsvSource({"free, 1", "starter, 3", "professional, 10"})
        void aFullPlanRejectsAReactivation(String plan, int active) {
            fixture.given(onPlanWithActiveUsers(plan, active, added("user-back", Role.MEMBER), deactivated("user-back")))
                   .when(new ReactivateUserCommand(TENANT_ID, "user-back", OWNER))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.PAYMENT_REQUIRED, "plan_limit", null))
                   .expectNoEvents();
        }

        @ParameterizedTest(name = "[{index}] {0} with {1} active users")
        @CsvSource({"starter, 2", "professional, 9", "enterprise, 30"})
        void aPlanWithRoomAcceptsAReactivation(String plan, int active) {
            fixture.given(onPlanWithActiveUsers(plan, active, added("user-back", Role.MEMBER), deactivated("user-back")))
                   .when(new ReactivateUserCommand(TENANT_ID, "user-back", OWNER))
                   .expectEvents(reactivated("user-back"));
        }

        @Test
        void aSeatFreedByADeactivationCanBeTakenByAReactivation() {
            fixture.given(onPlanWithActiveUsers("starter", 3, added("user-back", Role.MEMBER),
                                                deactivated("user-back"), deactivated("user-2")))
                   .when(new ReactivateUserCommand(TENANT_ID, "user-back", OWNER))
                   .expectEvents(reactivated("user-back"));
        }

        @Test
        void aSeatFreedByARemovalCanBeTakenByAReactivation() {
            fixture.given(onPlanWithActiveUsers("starter", 3, added("user-back", Role.MEMBER),
                                                deactivated("user-back"), removed("user-2")))
                   .when(new ReactivateUserCommand(TENANT_ID, "user-back", OWNER))
                   .expectEvents(reactivated("user-back"));
        }

        @Test
        void aDowngradeToAFullPlanRejectsAReactivation() {
            fixture.given(onPlanWithActiveUsers("professional", 3, added("user-back", Role.MEMBER),
                                                deactivated("user-back"), planChanged("professional", "starter")))
                   .when(new ReactivateUserCommand(TENANT_ID, "user-back", OWNER))
                   .expectException(hasCode(Kind.PAYMENT_REQUIRED, "plan_limit", null))
                   .expectNoEvents();
        }

        @Test
        void aSuspendedTenantRejectsAReactivation() {
            fixture.given(team(deactivated(MEMBER_ID), suspended()))
                   .when(new ReactivateUserCommand(TENANT_ID, MEMBER_ID, OWNER))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.FORBIDDEN, "tenant_suspended", null))
                   .expectNoEvents();
        }

        @ParameterizedTest
        @ValueSource(strings = {STRANGER_ID, ""})
        void aUserNotOnTheRosterIsNotFound(String userId) {
            fixture.given(team())
                   .when(new ReactivateUserCommand(TENANT_ID, userId, ADMIN))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
                   .expectNoEvents();
        }

        @Test
        void aRemovedUserIsNotFound() {
            fixture.given(team(deactivated(MEMBER_ID), removed(MEMBER_ID)))
                   .when(new ReactivateUserCommand(TENANT_ID, MEMBER_ID, ADMIN))
                   .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
                   .expectNoEvents();
        }
    }

    /** PATCH /api/users/{id} with both fields: one command, decided against the member as the whole change leaves them. */
    @Nested
    class ChangeMember {

        @Test
        void aRoleAndAReactivationThatFitTheRulesAreBothApplied() {
            fixture.given(team(deactivated(MEMBER_ID)))
                   .when(new ChangeMemberCommand(TENANT_ID, MEMBER_ID, Role.VIEWER, true, OWNER))
                   .expectSuccessfulHandlerExecution()
                   .expectEvents(roleChanged(MEMBER_ID, Role.MEMBER, Role.VIEWER), reactivated(MEMBER_ID));
        }

        @Test
        void aRoleChangeIsNotAppliedWhenTheReactivationBesideItIsRefused() {
            // two commands applied the role change, then refused the reactivation (plan full)
            fixture.given(onPlanWithActiveUsers("starter", 3, added("user-back", Role.MEMBER), deactivated("user-back")))
                   .when(new ChangeMemberCommand(TENANT_ID, "user-back", Role.VIEWER, true, OWNER))
                   .expectException(hasCode(Kind.PAYMENT_REQUIRED, "plan_limit", null))
                   .expectNoEvents();
        }

        @Test
        void theSameRoleChangeAloneIsAppliedOnTheSameFullPlan() {
            fixture.given(onPlanWithActiveUsers("starter", 3, added("user-back", Role.MEMBER), deactivated("user-back")))
                   .when(new ChangeMemberCommand(TENANT_ID, "user-back", Role.VIEWER, null, OWNER))
                   .expectEvents(roleChanged("user-back", Role.MEMBER, Role.VIEWER));
        }

        @Test
        void aSecondOwnerIsNotBothDemotedAndDeactivatedWhenNoOtherActiveOwnerWouldRemain() {
            fixture.given(team(added(SECOND_OWNER_ID, Role.OWNER), deactivated(OWNER_ID)))
                   .when(new ChangeMemberCommand(TENANT_ID, SECOND_OWNER_ID, Role.ADMIN, false, SECOND_OWNER))
                   .expectException(hasCode(Kind.CONFLICT, "last_owner", null))
                   .expectNoEvents();
        }

        @Test
        void anOwnerIsDemotedAndDeactivatedWhileAnotherActiveOwnerRemains() {
            fixture.given(team(added(SECOND_OWNER_ID, Role.OWNER)))
                   .when(new ChangeMemberCommand(TENANT_ID, SECOND_OWNER_ID, Role.ADMIN, false, OWNER))
                   .expectEvents(roleChanged(SECOND_OWNER_ID, Role.OWNER, Role.ADMIN),
                                 new UserDeactivatedEvent(TENANT_ID, SECOND_OWNER_ID));
        }

        @Test
        void aDeactivatedOwnerReactivatedAsOwnerRestoresAnActiveOwner() {
            fixture.given(team(added(SECOND_OWNER_ID, Role.OWNER), deactivated(SECOND_OWNER_ID)))
                   .when(new ChangeMemberCommand(TENANT_ID, SECOND_OWNER_ID, Role.OWNER, true, OWNER))
                   .expectEvents(reactivated(SECOND_OWNER_ID));
        }

        @Test
        void anAdminCannotPromoteToOwnerEvenWhileDeactivating() {
            fixture.given(team())
                   .when(new ChangeMemberCommand(TENANT_ID, MEMBER_ID, Role.OWNER, false, ADMIN))
                   .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
                   .expectNoEvents();
        }

        @Test
        void aSuspendedTenantRefusesARoleChangeWithADeactivation() {
            fixture.given(team(suspended()))
                   .when(new ChangeMemberCommand(TENANT_ID, MEMBER_ID, Role.VIEWER, false, OWNER))
                   .expectException(hasCode(Kind.FORBIDDEN, "tenant_suspended", null))
                   .expectNoEvents();
        }

        @Test
        void aSuspendedTenantStillDeactivatesAMember() {
            fixture.given(team(suspended()))
                   .when(new ChangeMemberCommand(TENANT_ID, MEMBER_ID, null, false, OWNER))
                   .expectEvents(new UserDeactivatedEvent(TENANT_ID, MEMBER_ID));
        }

        @Test
        void nothingThatChangesIsANoOp() {
            fixture.given(team())
                   .when(new ChangeMemberCommand(TENANT_ID, MEMBER_ID, Role.MEMBER, true, ADMIN))
                   .expectSuccessfulHandlerExecution()
                   .expectNoEvents();
        }

        @Test
        void anotherTenantsUserIsNotFound() {
            fixture.given(team())
                   .when(new ChangeMemberCommand(TENANT_ID, STRANGER_ID, Role.VIEWER, false, OWNER))
                   .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
                   .expectNoEvents();
        }
    }

    /** Erasure removes a member by the rules of a removal, then records the erasure; owners (or the system) only. */
    @Nested
    class ErasePersonalData {

        private static PersonalDataErasedEvent erased(String userId) {
            return new PersonalDataErasedEvent(TENANT_ID, userId, emailOf(userId));
        }

        @Test
        void anOwnerErasesAMemberWhoIsRemovedFirstAndTheirAddressReleased() {
            registry.claim(Scope.EMAIL, emailOf(MEMBER_ID), MEMBER_ID);
            fixture.given(team())
                   .when(new ErasePersonalDataCommand(TENANT_ID, MEMBER_ID, OWNER))
                   .expectSuccessfulHandlerExecution()
                   .expectEvents(removed(MEMBER_ID), erased(MEMBER_ID));

            assertThat(registry.isClaimed(Scope.EMAIL, emailOf(MEMBER_ID))).isFalse();
        }

        @Test
        void aFormerMemberIsErasedWithTheAddressTheyHad() {
            fixture.given(team(removed(MEMBER_ID)))
                   .when(new ErasePersonalDataCommand(TENANT_ID, MEMBER_ID, Actor.system()))
                   .expectEvents(erased(MEMBER_ID));
        }

        @Test
        void erasingAgainChangesNothing() {
            fixture.given(team(removed(MEMBER_ID), erased(MEMBER_ID)))
                   .when(new ErasePersonalDataCommand(TENANT_ID, MEMBER_ID, OWNER))
                   .expectSuccessfulHandlerExecution()
                   .expectNoEvents();
        }

        @Test
        void anotherTenantsUserIsNotFound() {
            fixture.given(team())
                   .when(new ErasePersonalDataCommand(TENANT_ID, STRANGER_ID, OWNER))
                   .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
                   .expectNoEvents();
        }

        @Test
        void anAdminCannotErase() {
            fixture.given(team())
                   .when(new ErasePersonalDataCommand(TENANT_ID, MEMBER_ID, ADMIN))
                   .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
                   .expectNoEvents();
        }

        @Test
        void theLastActiveOwnerCannotBeErased() {
            fixture.given(team())
                   .when(new ErasePersonalDataCommand(TENANT_ID, OWNER_ID, OWNER))
                   .expectException(hasCode(Kind.CONFLICT, "last_owner", null))
                   .expectNoEvents();
        }
    }

    @Nested
    class RemoveUser {

        @BeforeEach
        void claimTheTeamsAddresses() {
            for (String userId : new String[] {OWNER_ID, SECOND_OWNER_ID, ADMIN_ID, MEMBER_ID, VIEWER_ID}) {
                registry.claim(Scope.EMAIL, emailOf(userId), userId);
            }
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {ADMIN_ID, MEMBER_ID, VIEWER_ID})
        void anAdminRemovesAUserUpToAdminAndReleasesTheirAddress(String userId) {
            Actor otherAdmin = new Actor("user-admin-2", Role.ADMIN, null);
            fixture.given(team(added("user-admin-2", Role.ADMIN)))
                   .when(new RemoveUserCommand(TENANT_ID, userId, otherAdmin))
                   .expectSuccessfulHandlerExecution()
                   .expectEvents(new UserRemovedEvent(TENANT_ID, userId, emailOf(userId)));

            assertThat(registry.isClaimed(Scope.EMAIL, emailOf(userId))).isFalse();
            assertThat(registry.ownerOf(Scope.EMAIL, emailOf(OWNER_ID))).isEqualTo(OWNER_ID);
            assertThat(registry.size()).isEqualTo(4);
        }

        @Test
        void anOwnerRemovesADeactivatedUser() {
            fixture.given(team(deactivated(MEMBER_ID)))
                   .when(new RemoveUserCommand(TENANT_ID, MEMBER_ID, OWNER))
                   .expectEvents(removed(MEMBER_ID));

            assertThat(registry.isClaimed(Scope.EMAIL, emailOf(MEMBER_ID))).isFalse();
        }

        @Test
        void theAddressIsReleasedUnderTheRemovedUsersEmail() {
            // the address the roster holds, whatever the user's id looks like
            registry.claim(Scope.EMAIL, "jane.doe@acme.io", "user-jane");
            fixture.given(team(new UserAddedEvent(TENANT_ID, "user-jane",
                                       "jane.doe@acme.io", Role.MEMBER, true, ADMIN_ID)))
                   .when(new RemoveUserCommand(TENANT_ID, "user-jane", ADMIN))
                   .expectEvents(new UserRemovedEvent(TENANT_ID, "user-jane", "jane.doe@acme.io"));

            assertThat(registry.isClaimed(Scope.EMAIL, "jane.doe@acme.io")).isFalse();
        }

        @Test
        void removingAMemberWhoseAddressIsHeldInAnotherTenantLeavesTheHoldersClaim() {
            registry.claim(Scope.EMAIL, "held@elsewhere.io", "user-of-another-tenant");
            fixture.given(team(new UserAddedEvent(TENANT_ID, "user-unclaimed", "held@elsewhere.io", Role.VIEWER, true,
                                       ADMIN_ID)))
                   .when(new RemoveUserCommand(TENANT_ID, "user-unclaimed", ADMIN))
                   .expectEvents(new UserRemovedEvent(TENANT_ID, "user-unclaimed", "held@elsewhere.io"));

            assertThat(registry.ownerOf(Scope.EMAIL, "held@elsewhere.io")).isEqualTo("user-of-another-tenant");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @EnumSource(value = Role.class, names = {"MEMBER", "VIEWER"})
        void membersAndViewersCannotRemoveUsers(Role role) {
            registry.claim(Scope.EMAIL, emailOf("user-viewer-2"), "user-viewer-2");
            fixture.given(team(added("user-viewer-2", Role.VIEWER)))
                   .when(new RemoveUserCommand(TENANT_ID, "user-viewer-2", actor(role)))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
                   .expectNoEvents();

            assertThat(registry.ownerOf(Scope.EMAIL, emailOf("user-viewer-2"))).isEqualTo("user-viewer-2");
        }

        @Test
        void anAdminCannotRemoveAnOwner() {
            fixture.given(team(added(SECOND_OWNER_ID, Role.OWNER)))
                   .when(new RemoveUserCommand(TENANT_ID, SECOND_OWNER_ID, ADMIN))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
                   .expectNoEvents();

            assertThat(registry.ownerOf(Scope.EMAIL, emailOf(SECOND_OWNER_ID))).isEqualTo(SECOND_OWNER_ID);
        }

        @Test
        void theLastActiveOwnerCannotBeRemoved() {
            fixture.given(team())
                   .when(new RemoveUserCommand(TENANT_ID, OWNER_ID, OWNER))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.CONFLICT, "last_owner", null))
                   .expectNoEvents();

            assertThat(registry.ownerOf(Scope.EMAIL, emailOf(OWNER_ID))).isEqualTo(OWNER_ID);
        }

        @Test
        void theSystemCannotRemoveTheLastActiveOwnerEither() {
            fixture.given(team())
                   .when(new RemoveUserCommand(TENANT_ID, OWNER_ID, Actor.system()))
                   .expectException(hasCode(Kind.CONFLICT, "last_owner", null))
                   .expectNoEvents();

            assertThat(registry.ownerOf(Scope.EMAIL, emailOf(OWNER_ID))).isEqualTo(OWNER_ID);
        }

        @Test
        void theLastActiveOwnerCannotBeRemovedWhenTheOtherOwnerIsInactive() {
            fixture.given(team(added(SECOND_OWNER_ID, Role.OWNER), deactivated(SECOND_OWNER_ID)))
                   .when(new RemoveUserCommand(TENANT_ID, OWNER_ID, SECOND_OWNER))
                   .expectException(hasCode(Kind.CONFLICT, "last_owner", null))
                   .expectNoEvents();

            assertThat(registry.ownerOf(Scope.EMAIL, emailOf(OWNER_ID))).isEqualTo(OWNER_ID);
        }

        @Test
        void anOwnerIsRemovedWhenAnotherActiveOwnerRemains() {
            fixture.given(team(added(SECOND_OWNER_ID, Role.OWNER)))
                   .when(new RemoveUserCommand(TENANT_ID, OWNER_ID, SECOND_OWNER))
                   .expectSuccessfulHandlerExecution()
                   .expectEvents(removed(OWNER_ID));

            assertThat(registry.isClaimed(Scope.EMAIL, emailOf(OWNER_ID))).isFalse();
            assertThat(registry.ownerOf(Scope.EMAIL, emailOf(SECOND_OWNER_ID))).isEqualTo(SECOND_OWNER_ID);
        }

        @ParameterizedTest
        @ValueSource(strings = {STRANGER_ID, ""})
        void aUserNotOnTheRosterIsNotFound(String userId) {
            registry.claim(Scope.EMAIL, "stranger@other.io", STRANGER_ID);
            fixture.given(team())
                   .when(new RemoveUserCommand(TENANT_ID, userId, ADMIN))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
                   .expectNoEvents();

            assertThat(registry.ownerOf(Scope.EMAIL, "stranger@other.io")).isEqualTo(STRANGER_ID);
            assertThat(registry.size()).isEqualTo(6);
        }

        @Test
        void aRemovedUserIsNotFoundTheSecondTime() {
            fixture.given(team(removed(MEMBER_ID)))
                   .when(new RemoveUserCommand(TENANT_ID, MEMBER_ID, ADMIN))
                   .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
                   .expectNoEvents();
        }

        @Test
        void aSuspendedTenantStillRemovesUsers() {
            // suspension blocks growing or changing access, not taking it away
            fixture.given(team(suspended()))
                   .when(new RemoveUserCommand(TENANT_ID, MEMBER_ID, OWNER))
                   .expectEvents(removed(MEMBER_ID));

            assertThat(registry.isClaimed(Scope.EMAIL, emailOf(MEMBER_ID))).isFalse();
        }
    }

    @Test
    void theRegisteredOwnerIsOnTheRoster() {
        // a tenant with only its registration event: the owner is found, and is the last owner
        fixture.given(registered())
               .when(new DeactivateUserCommand(TENANT_ID, OWNER_ID, OWNER))
               .expectException(hasCode(Kind.CONFLICT, "last_owner", null))
               .expectNoEvents();
    }
}
