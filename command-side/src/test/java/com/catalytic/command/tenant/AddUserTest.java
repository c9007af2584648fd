package com.catalytic.command.tenant;

import static com.catalytic.command.DomainExceptionMatchers.hasCode;
import static com.catalytic.command.EventPayloads.inOrder;
import static com.catalytic.command.tenant.TenantHistory.ADMIN;
import static com.catalytic.command.tenant.TenantHistory.ADMIN_ID;
import static com.catalytic.command.tenant.TenantHistory.OWNER;
import static com.catalytic.command.tenant.TenantHistory.TENANT_ID;
import static com.catalytic.command.tenant.TenantHistory.actor;
import static com.catalytic.command.tenant.TenantHistory.deactivated;
import static com.catalytic.command.tenant.TenantHistory.onPlanWithActiveUsers;
import static com.catalytic.command.tenant.TenantHistory.planChanged;
import static com.catalytic.command.tenant.TenantHistory.removed;
import static com.catalytic.command.tenant.TenantHistory.suspended;
import static com.catalytic.command.tenant.TenantHistory.team;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.axonframework.test.matchers.Matchers.payloadsMatching;
import static org.hamcrest.Matchers.equalTo;

import com.catalytic.api.error.DomainException.Kind;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Role;
import com.catalytic.api.identity.Scopes;
import com.catalytic.api.plan.PlanCatalogue;
import com.catalytic.api.tenant.TenantCommands.AddUserCommand;
import com.catalytic.api.tenant.TenantEvents.TenantReinstatedEvent;
import com.catalytic.api.tenant.TenantEvents.UserAddedEvent;
import com.catalytic.api.tenant.TenantEvents.UserRemovedEvent;
import com.catalytic.api.user.UserMessages.InvitationIssuedEvent;
import com.catalytic.api.user.UserRegisteredEvent;
import com.catalytic.command.personal.UnsealedPersonalData;
import com.catalytic.command.uniqueness.InMemoryUniqueKeyRegistry;
import com.catalytic.command.uniqueness.UniqueKeyRegistry.Scope;
import com.catalytic.command.user.UserAggregate;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeDiagnosingMatcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Adding a user: the tenant records the membership ({@code UserAddedEvent}) and creates the user's account, which
 * either has a password at once or waits for its invitation to be accepted.
 */
class AddUserTest {

    private static final String NEW_USER_ID = "user-new";
    private static final String RAW_EMAIL = "  Jane.Doe@Acme.IO ";
    private static final String EMAIL = "jane.doe@acme.io";
    private static final String PASSWORD = "correct horse battery";
    private static final String TOKEN_HASH = "5f2b0c3e9d7a41b6a8c0e1f2d3c4b5a6978877665544332211ffeeddccbbaa99";
    private static final Instant INVITATION_EXPIRES = Instant.parse("2026-01-08T12:00:00Z");

    private final InMemoryUniqueKeyRegistry registry = new InMemoryUniqueKeyRegistry();
    private final PasswordEncoder passwordEncoder = new BCryptPasswordEncoder(4);
    private AggregateTestFixture<TenantAggregate> fixture;
    private CreatedAggregateRepositoryProvider createdAggregates;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(TenantAggregate.class);
        fixture.registerInjectableResource(new UnsealedPersonalData());
        createdAggregates = new CreatedAggregateRepositoryProvider(fixture.getEventStore(), UserAggregate.class);
        fixture.registerRepositoryProvider(createdAggregates);
        fixture.registerInjectableResource(registry);
        fixture.registerInjectableResource(passwordEncoder);
        fixture.registerInjectableResource(PlanCatalogue.defaults());
    }

    // --- with a password

    @ParameterizedTest(name = "[{index}] {0} adds a {1}")
    @CsvSource({"OWNER, OWNER", "OWNER, ADMIN", "OWNER, MEMBER", "OWNER, VIEWER",
                "ADMIN, ADMIN", "ADMIN, MEMBER", "ADMIN, VIEWER"})
    void aUserAddedWithAPasswordGetsAnAccountWithItsHash(Role actorRole, Role role) {
        Actor actor = actor(actorRole);
        fixture.given(team())
               .when(withPassword(role, PASSWORD, actor))
               .expectSuccessfulHandlerExecution()
               .expectEventsMatching(payloadsMatching(inOrder(
                       equalTo(new UserAddedEvent(TENANT_ID, NEW_USER_ID, EMAIL, role, false, actor.userId())),
                       accountWithHashOf(PASSWORD, role))));

        assertThat(createdAggregates.publishedEvents()).singleElement().satisfies(event -> {
            assertThat(event.getType()).isEqualTo("user");
            assertThat(event.getAggregateIdentifier()).isEqualTo(NEW_USER_ID);
            assertThat(event.getSequenceNumber()).isZero();
        });
        assertThat(registry.ownerOf(Scope.EMAIL, EMAIL)).isEqualTo(NEW_USER_ID);
    }

    @Test
    void theSystemAddsAUser() {
        fixture.given(team())
               .when(withPassword(Role.OWNER, PASSWORD, Actor.system()))
               .expectEventsMatching(payloadsMatching(inOrder(
                       equalTo(new UserAddedEvent(TENANT_ID, NEW_USER_ID, EMAIL, Role.OWNER, false, "system")),
                       accountWithHashOf(PASSWORD, Role.OWNER))));
    }

    @Test
    void aPasswordMakesTheInvitationUnnecessary() {
        fixture.given(team())
               .when(new AddUserCommand(TENANT_ID, NEW_USER_ID, RAW_EMAIL, Role.MEMBER, PASSWORD, TOKEN_HASH,
                       INVITATION_EXPIRES, ADMIN))
               .expectEventsMatching(payloadsMatching(inOrder(
                       equalTo(new UserAddedEvent(TENANT_ID, NEW_USER_ID, EMAIL, Role.MEMBER, false, ADMIN_ID)),
                       accountWithHashOf(PASSWORD, Role.MEMBER))));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', value = {
            "short pw         | password_too_short",
            "Jane.Doe@Acme.IO | password_matches_email",
            "jane.doe         | password_too_short",
            "password123      | password_too_common",
            "aaaaaaaaaaaa     | password_too_common"})
    void aWeakPasswordIsRejectedAndClaimsNothing(String password, String code) {
        fixture.given(team())
               .when(withPassword(Role.MEMBER, password, ADMIN))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.VALIDATION, code, "password"))
               .expectNoEvents();

        assertThat(registry.size()).isZero();
        assertThat(createdAggregates.publishedEvents()).isEmpty();
    }

    @Test
    void aPasswordEqualToTheLocalPartOfTheAddressIsRejected() {
        fixture.given(team())
               .when(new AddUserCommand(TENANT_ID, NEW_USER_ID, "Maximilian.Member@acme.io", Role.MEMBER,
                       "maximilian.member", null, null, ADMIN))
               .expectException(hasCode(Kind.VALIDATION, "password_matches_email", "password"))
               .expectNoEvents();
    }

    // --- with an invitation

    @Test
    void aUserAddedWithoutAPasswordIsInvited() {
        fixture.given(team())
               .when(invited(Role.VIEWER, ADMIN))
               .expectSuccessfulHandlerExecution()
               .expectEvents(new UserAddedEvent(TENANT_ID, NEW_USER_ID, EMAIL, Role.VIEWER, true, ADMIN_ID),
                             new UserRegisteredEvent(NEW_USER_ID, TENANT_ID, EMAIL, null, Role.VIEWER),
                             new InvitationIssuedEvent(NEW_USER_ID, TENANT_ID, TOKEN_HASH, INVITATION_EXPIRES));

        assertThat(createdAggregates.publishedEvents())
                .extracting(DomainEventMessage::getType, DomainEventMessage::getAggregateIdentifier,
                            DomainEventMessage::getSequenceNumber)
                .containsExactly(tuple("user", NEW_USER_ID, 0L),
                                 tuple("user", NEW_USER_ID, 1L));
        assertThat(registry.ownerOf(Scope.EMAIL, EMAIL)).isEqualTo(NEW_USER_ID);
    }

    @Test
    void withNeitherPasswordNorInvitationNothingIsAdded() {
        fixture.given(team())
               .when(new AddUserCommand(TENANT_ID, NEW_USER_ID, RAW_EMAIL, Role.MEMBER, null, null,
                       INVITATION_EXPIRES, ADMIN))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.VALIDATION, "password_or_invitation", "password"))
               .expectNoEvents();

        assertThat(registry.size()).isZero();
        assertThat(createdAggregates.publishedEvents()).isEmpty();
    }

    // --- the address

    @ParameterizedTest
    @ValueSource(strings = {EMAIL, "JANE.DOE@ACME.IO", RAW_EMAIL})
    void anAddressOfThisTenantsMemberIsRejectedWhateverItsCase(String email) {
        registry.claim(Scope.EMAIL, EMAIL, "user-jane");

        fixture.given(team(new UserAddedEvent(TENANT_ID, "user-jane", EMAIL, Role.MEMBER, true, ADMIN_ID)))
               .when(new AddUserCommand(TENANT_ID, NEW_USER_ID, email, Role.MEMBER, PASSWORD, null, null, ADMIN))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.CONFLICT, "email_taken", "email"))
               .expectNoEvents();

        assertThat(registry.ownerOf(Scope.EMAIL, EMAIL)).isEqualTo("user-jane");
        assertThat(createdAggregates.publishedEvents()).isEmpty();
    }

    @Test
    void theOwnersAddressIsRejected() {
        fixture.given(team())
               .when(new AddUserCommand(TENANT_ID, NEW_USER_ID, "User-Owner@Acme.io", Role.MEMBER, null, TOKEN_HASH,
                       INVITATION_EXPIRES, ADMIN))
               .expectException(hasCode(Kind.CONFLICT, "email_taken", "email"))
               .expectNoEvents();
    }

    @Test
    void anAddressHeldInAnotherTenantIsInvitedAsAFreshOneWithAnInvitationNobodyCanAccept() {
        registry.claim(Scope.EMAIL, EMAIL, "user-elsewhere");

        fixture.given(team())
               .when(invited(Role.VIEWER, ADMIN))
               .expectSuccessfulHandlerExecution()
               .expectEventsMatching(payloadsMatching(inOrder(
                       equalTo(new UserAddedEvent(TENANT_ID, NEW_USER_ID, EMAIL, Role.VIEWER, true, ADMIN_ID)),
                       equalTo(new UserRegisteredEvent(NEW_USER_ID, TENANT_ID, EMAIL, null, Role.VIEWER)),
                       invitationNobodyCanAccept())));

        assertThat(createdAggregates.publishedEvents()).hasSize(2);
        assertThat(registry.ownerOf(Scope.EMAIL, EMAIL)).as("the holder keeps the address").isEqualTo("user-elsewhere");
    }

    @Test
    void anAddressHeldInAnotherTenantAddedWithAPasswordGetsAMemberWithoutThePassword() {
        registry.claim(Scope.EMAIL, EMAIL, "user-elsewhere");

        fixture.given(team())
               .when(withPassword(Role.MEMBER, PASSWORD, ADMIN))
               .expectSuccessfulHandlerExecution()
               .expectEvents(new UserAddedEvent(TENANT_ID, NEW_USER_ID, EMAIL, Role.MEMBER, false, ADMIN_ID),
                             new UserRegisteredEvent(NEW_USER_ID, TENANT_ID, EMAIL, null, Role.MEMBER));

        assertThat(registry.ownerOf(Scope.EMAIL, EMAIL)).isEqualTo("user-elsewhere");
    }

    /** The answers that do not depend on the address are the same for one held elsewhere. */
    @Test
    void anAddressHeldInAnotherTenantIsCheckedAsAFreshOne() {
        registry.claim(Scope.EMAIL, EMAIL, "user-elsewhere");

        fixture.given(team())
               .when(withPassword(Role.MEMBER, "password123", ADMIN))
               .expectException(hasCode(Kind.VALIDATION, "password_too_common", "password"))
               .expectNoEvents();
        fixture.given(onPlanWithActiveUsers("starter", 3))
               .when(invited(Role.MEMBER, OWNER))
               .expectException(hasCode(Kind.PAYMENT_REQUIRED, "plan_limit", null))
               .expectNoEvents();
        fixture.given(team())
               .when(invited(Role.OWNER, ADMIN))
               .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
               .expectNoEvents();
    }

    @Test
    void theAddressOfARemovedUserCanBeAddedAgain() {
        // the removal released the claim; the registry is empty here as it is after that release
        fixture.given(team(new UserAddedEvent(TENANT_ID, "user-old", EMAIL, Role.MEMBER, false, ADMIN_ID),
                           new UserRemovedEvent(TENANT_ID, "user-old", EMAIL)))
               .when(invited(Role.MEMBER, ADMIN))
               .expectEvents(invitation(Role.MEMBER, ADMIN));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"not-an-email", "jane@", "@acme.io", "jane@acme", "jane doe@acme.io"})
    void anInvalidAddressIsRejected(String email) {
        fixture.given(team())
               .when(new AddUserCommand(TENANT_ID, NEW_USER_ID, email, Role.MEMBER, PASSWORD, null, null, ADMIN))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.VALIDATION, "invalid_email", "email"))
               .expectNoEvents();

        assertThat(registry.size()).isZero();
    }

    // --- who may add whom

    @ParameterizedTest(name = "[{index}] {0}")
    @EnumSource(value = Role.class, names = {"MEMBER", "VIEWER"})
    void membersAndViewersCannotAddUsers(Role actorRole) {
        fixture.given(team())
               .when(invited(Role.VIEWER, actor(actorRole)))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
               .expectNoEvents();

        assertThat(registry.size()).isZero();
        assertThat(createdAggregates.publishedEvents()).isEmpty();
    }

    @Test
    void anAdminCannotAddAnOwner() {
        fixture.given(team())
               .when(invited(Role.OWNER, ADMIN))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.FORBIDDEN, "forbidden", null))
               .expectNoEvents();

        assertThat(registry.size()).isZero();
        assertThat(createdAggregates.publishedEvents()).isEmpty();
    }

    @ParameterizedTest(name = "[{index}] a {0}")
    @EnumSource(Role.class)
    void throughAKeyAUserIsAddedWithARoleWhoseEveryScopeTheKeyHolds(Role role) {
        Actor ownersKey = new Actor(OWNER.userId(), Role.OWNER, "key-0", withUsersManage(Scopes.heldBy(role)));
        fixture.given(team())
               .when(invited(role, ownersKey))
               .expectSuccessfulHandlerExecution()
               .expectEvents(invitation(role, ownersKey));
    }

    /** Whoever holds the key chose the password, or receives the invitation: they would hold the role. */
    @ParameterizedTest(name = "[{index}] a {0} through a key with the scopes of a {1}")
    @CsvSource({"OWNER, ADMIN", "ADMIN, MEMBER", "MEMBER, VIEWER", "OWNER, VIEWER"})
    void throughAKeyNobodyIsAddedAboveTheKey(Role role, Role keyScopesOf) {
        Actor ownersKey = new Actor(OWNER.userId(), Role.OWNER, "key-0", withUsersManage(Scopes.heldBy(keyScopesOf)));
        fixture.given(team())
               .when(withPassword(role, PASSWORD, ownersKey))
               .expectException(hasCode(Kind.FORBIDDEN, "role_above_key", null))
               .expectNoEvents();
        fixture.given(team())
               .when(invited(role, ownersKey))
               .expectException(hasCode(Kind.FORBIDDEN, "role_above_key", null))
               .expectNoEvents();

        assertThat(registry.size()).isZero();
        assertThat(createdAggregates.publishedEvents()).isEmpty();
    }

    private static Set<String> withUsersManage(Set<String> scopes) {
        Set<String> all = new TreeSet<>(scopes);
        all.add(Scopes.USERS_MANAGE);
        return all;
    }

    @Test
    void aUserWithoutARoleIsRejected() {
        fixture.given(team())
               .when(invited(null, ADMIN))
               .expectException(hasCode(Kind.VALIDATION, "invalid_role", "role"))
               .expectNoEvents();

        assertThat(registry.size()).isZero();
    }

    // --- the plan's user limit

    @ParameterizedTest(name = "[{index}] {0} with {1} active users")
    @CsvSource({"free, 1", "starter, 3", "professional, 10"})
    void aFullPlanRejectsAnotherUser(String plan, int active) {
        fixture.given(onPlanWithActiveUsers(plan, active))
               .when(invited(Role.MEMBER, OWNER))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.PAYMENT_REQUIRED, "plan_limit", null))
               .expectNoEvents();

        assertThat(registry.size()).isZero();
        assertThat(createdAggregates.publishedEvents()).isEmpty();
    }

    @ParameterizedTest(name = "[{index}] {0} with {1} active users")
    @CsvSource({"starter, 1", "starter, 2", "professional, 9", "enterprise, 10", "enterprise, 50"})
    void aPlanWithRoomAcceptsAnotherUser(String plan, int active) {
        fixture.given(onPlanWithActiveUsers(plan, active))
               .when(invited(Role.MEMBER, OWNER))
               .expectSuccessfulHandlerExecution()
               .expectEvents(invitation(Role.MEMBER, OWNER));
    }

    @Test
    void deactivatedUsersDoNotTakeASeat() {
        fixture.given(onPlanWithActiveUsers("starter", 3, deactivated("user-1")))
               .when(invited(Role.MEMBER, OWNER))
               .expectSuccessfulHandlerExecution()
               .expectEvents(invitation(Role.MEMBER, OWNER));
    }

    @Test
    void removedUsersDoNotTakeASeat() {
        fixture.given(onPlanWithActiveUsers("starter", 3, removed("user-2")))
               .when(invited(Role.MEMBER, OWNER))
               .expectSuccessfulHandlerExecution()
               .expectEvents(invitation(Role.MEMBER, OWNER));
    }

    @Test
    void invitedUsersTakeASeat() {
        fixture.given(onPlanWithActiveUsers("starter", 2,
                               new UserAddedEvent(TENANT_ID, "user-invited", "invited@acme.io", Role.VIEWER, true,
                                       ADMIN_ID)))
               .when(invited(Role.MEMBER, OWNER))
               .expectException(hasCode(Kind.PAYMENT_REQUIRED, "plan_limit", null))
               .expectNoEvents();
    }

    @Test
    void theLimitIsThatOfTheCurrentPlan() {
        fixture.given(onPlanWithActiveUsers("professional", 3, planChanged("professional", "starter")))
               .when(invited(Role.MEMBER, OWNER))
               .expectException(hasCode(Kind.PAYMENT_REQUIRED, "plan_limit", null))
               .expectNoEvents();
    }

    // --- suspension

    @Test
    void aSuspendedTenantAddsNobody() {
        fixture.given(team(suspended()))
               .when(invited(Role.MEMBER, OWNER))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.FORBIDDEN, "tenant_suspended", null))
               .expectNoEvents();

        assertThat(registry.size()).isZero();
        assertThat(createdAggregates.publishedEvents()).isEmpty();
    }

    @Test
    void aReinstatedTenantAddsUsersAgain() {
        fixture.given(team(suspended(), new TenantReinstatedEvent(TENANT_ID, "paid")))
               .when(invited(Role.MEMBER, OWNER))
               .expectSuccessfulHandlerExecution()
               .expectEvents(invitation(Role.MEMBER, OWNER));
    }

    private static AddUserCommand withPassword(Role role, String password, Actor actor) {
        return new AddUserCommand(TENANT_ID, NEW_USER_ID, RAW_EMAIL, role, password, null, null, actor);
    }

    private static AddUserCommand invited(Role role, Actor actor) {
        return new AddUserCommand(TENANT_ID, NEW_USER_ID, RAW_EMAIL, role, null, TOKEN_HASH, INVITATION_EXPIRES,
                actor);
    }

    /** The events of inviting the new user: the membership, the account without a password, the invitation. */
    private static Object[] invitation(Role role, Actor actor) {
        return new Object[] {
                new UserAddedEvent(TENANT_ID, NEW_USER_ID, EMAIL, role, true, actor.userId()),
                new UserRegisteredEvent(NEW_USER_ID, TENANT_ID, EMAIL, null, role),
                new InvitationIssuedEvent(NEW_USER_ID, TENANT_ID, TOKEN_HASH, INVITATION_EXPIRES)};
    }

    /** An invitation of the new user whose token hash is not the one the command carried, nor a derived one. */
    private static Matcher<InvitationIssuedEvent> invitationNobodyCanAccept() {
        return new TypeSafeDiagnosingMatcher<>() {
            @Override
            protected boolean matchesSafely(InvitationIssuedEvent e, Description mismatch) {
                mismatch.appendText("was " + e);
                return NEW_USER_ID.equals(e.userId()) && TENANT_ID.equals(e.tenantId())
                        && INVITATION_EXPIRES.equals(e.expiresAt()) && e.tokenHash() != null
                        && e.tokenHash().matches("[0-9a-f]{64}") && !e.tokenHash().equals(TOKEN_HASH);
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("an invitation of " + NEW_USER_ID + " until " + INVITATION_EXPIRES
                        + " with a token hash other than the command's");
            }
        };
    }

    /** The new account: normalised e-mail, the role, and a real hash of the password, never the password. */
    private Matcher<UserRegisteredEvent> accountWithHashOf(String password, Role role) {
        return new TypeSafeDiagnosingMatcher<>() {
            @Override
            protected boolean matchesSafely(UserRegisteredEvent e, Description mismatch) {
                mismatch.appendText("was userId=" + e.userId() + ", tenantId=" + e.tenantId() + ", email="
                        + e.email() + ", role=" + e.role() + ", hash " + describeHash(password, e.passwordHash()));
                return NEW_USER_ID.equals(e.userId()) && TENANT_ID.equals(e.tenantId()) && EMAIL.equals(e.email())
                        && e.role() == role && e.passwordHash() != null && !password.equals(e.passwordHash())
                        && passwordEncoder.matches(password, e.passwordHash());
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("UserRegisteredEvent of " + NEW_USER_ID + " in " + TENANT_ID + " as " + EMAIL
                        + ", role " + role + ", with a hash of the password");
            }
        };
    }

    private String describeHash(String password, String hash) {
        if (hash == null) return "missing";
        if (Objects.equals(hash, password)) return "is the plain password";
        return passwordEncoder.matches(password, hash) ? "matches" : "does not match the password";
    }
}
