package com.catalytic.command.apikey;

import static com.catalytic.command.DomainExceptionMatchers.hasCode;
import static com.catalytic.command.EventPayloads.inOrder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.axonframework.test.matchers.Matchers.payloadsMatching;

import com.catalytic.api.apikey.ApiKeyMessages.ActingKey;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyIssuedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyRevokedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyRotatedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.IssueApiKeyCommand;
import com.catalytic.api.apikey.ApiKeyMessages.RevokeApiKeyCommand;
import com.catalytic.api.apikey.ApiKeyMessages.RotateApiKeyCommand;
import com.catalytic.api.error.DomainException.Kind;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Role;
import com.catalytic.api.identity.Scopes;
import com.catalytic.command.tenant.CreatedAggregateRepositoryProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeDiagnosingMatcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * API keys: scopes known and within the creator's role; a key issued through a key stays within it (scopes, expiry,
 * rate limit); the creator or an admin revokes a key, only the creator rotates it (through a key: one within that
 * key), and to anyone else, or from another tenant, the key does not exist; a rotated key stays valid for its grace
 * window, never beyond its own expiry, and its successor keeps its scopes and expiry.
 */
class ApiKeyAggregateTest {

    private static final String KEY_ID = "key-1";
    private static final String NEW_KEY_ID = "key-2";
    private static final String TENANT_ID = "tenant-1";
    private static final String OTHER_TENANT_ID = "tenant-2";
    private static final String NAME = "CI deploy";
    private static final String KEY_HASH = "hash-of-key-1";
    private static final String PREFIX = "cat_live_a1b2";
    private static final String NEW_KEY_HASH = "hash-of-key-2";
    private static final String NEW_PREFIX = "cat_live_c3d4";
    // the rotation carries the instant it was requested at, so expiry is decided against a fixed clock
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final Instant EXPIRES = NOW.plus(Duration.ofDays(30));
    private static final long HOUR = 3_600;
    private static final long SEVEN_DAYS = 7 * 24 * HOUR;

    private static final Actor OWNER = new Actor("user-owner", Role.OWNER, null);
    private static final Actor ADMIN = new Actor("user-admin", Role.ADMIN, null);
    private static final Actor CREATOR = new Actor("user-member", Role.MEMBER, null);
    private static final Actor OTHER_MEMBER = new Actor("user-member-2", Role.MEMBER, null);
    private static final Actor VIEWER = new Actor("user-viewer", Role.VIEWER, null);
    private static final Set<String> KEY_SCOPES = Set.of(Scopes.LATTICES_READ, Scopes.LATTICES_WRITE);

    private AggregateTestFixture<ApiKeyAggregate> fixture;
    private CreatedAggregateRepositoryProvider createdAggregates;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(ApiKeyAggregate.class);
        createdAggregates = new CreatedAggregateRepositoryProvider(fixture.getEventStore(), ApiKeyAggregate.class);
        // Must precede anything that builds the fixture's repository, which captures the provider.
        fixture.registerRepositoryProvider(createdAggregates);
    }

    /** The key under test, created by a member, valid until {@code expiresAt}. */
    private static ApiKeyIssuedEvent issued(Instant expiresAt) {
        return new ApiKeyIssuedEvent(KEY_ID, TENANT_ID, NAME, KEY_SCOPES, expiresAt, KEY_HASH, PREFIX,
                CREATOR.userId(), null, null);
    }

    private static ApiKeyIssuedEvent issued() {
        return issued(EXPIRES);
    }

    @Nested
    class Issue {

        @Test
        void anAdminIssuesAKeyWithItsScopesSorted() {
            Set<String> requested = new LinkedHashSet<>(List.of(Scopes.USERS_MANAGE, Scopes.LATTICES_READ,
                    Scopes.KEYS_MANAGE, Scopes.AUDIT_READ));

            fixture.givenNoPriorActivity()
                   .when(issue("  " + NAME + " ", requested, ADMIN))
                   .expectSuccessfulHandlerExecution()
                   .expectEventsMatching(payloadsMatching(inOrder(issuedWithScopes(ADMIN,
                           Scopes.AUDIT_READ, Scopes.KEYS_MANAGE, Scopes.LATTICES_READ, Scopes.USERS_MANAGE))));
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @MethodSource("com.catalytic.command.apikey.ApiKeyAggregateTest#everyScopeEachRoleHolds")
        void eachRoleIssuesKeysWithTheScopesItHolds(Role role, List<String> scopes) {
            Actor actor = new Actor("user-" + role.wire(), role, null);

            fixture.givenNoPriorActivity()
                   .when(issue(NAME, new LinkedHashSet<>(scopes), actor))
                   .expectSuccessfulHandlerExecution()
                   .expectEventsMatching(payloadsMatching(inOrder(
                           issuedWithScopes(actor, scopes.stream().sorted().toArray(String[]::new)))));
        }

        @Test
        void aKeyMayHaveNoExpiry() {
            fixture.givenNoPriorActivity()
                   .when(new IssueApiKeyCommand(KEY_ID, TENANT_ID, NAME, Set.of(Scopes.LATTICES_READ), null, KEY_HASH,
                           PREFIX, null, VIEWER, null))
                   .expectEvents(new ApiKeyIssuedEvent(KEY_ID, TENANT_ID, NAME, Set.of(Scopes.LATTICES_READ), null,
                           KEY_HASH, PREFIX, VIEWER.userId(), null, null));
        }

        @ParameterizedTest
        @ValueSource(strings = {"lattices:delete", "LATTICES:READ", "lattices", "*", ""})
        void anUnknownScopeIsRejected(String scope) {
            fixture.givenNoPriorActivity()
                   .when(issue(NAME, new LinkedHashSet<>(List.of(Scopes.LATTICES_READ, scope)), OWNER))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.VALIDATION, "unknown_scope", "scopes"))
                   .expectNoEvents();
        }

        @ParameterizedTest
        @NullAndEmptySource
        void aKeyWithoutScopesIsRejected(Set<String> scopes) {
            fixture.givenNoPriorActivity()
                   .when(issue(NAME, scopes, OWNER))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.VALIDATION, "invalid_scopes", "scopes"))
                   .expectNoEvents();
        }

        @ParameterizedTest(name = "[{index}] {0} asking {1}")
        @CsvSource({
                "VIEWER, keys:manage", "VIEWER, lattices:write", "VIEWER, audit:read", "VIEWER, users:manage",
                "VIEWER, webhooks:manage", "MEMBER, keys:manage", "MEMBER, audit:read", "MEMBER, users:manage",
                "MEMBER, webhooks:manage", "ADMIN, tenant:manage", "MEMBER, tenant:manage", "VIEWER, tenant:manage"})
        void aScopeAboveTheCreatorsRoleIsForbidden(Role role, String scope) {
            fixture.givenNoPriorActivity()
                   .when(issue(NAME, new LinkedHashSet<>(List.of(Scopes.LATTICES_READ, scope)),
                           new Actor("user-" + role.wire(), role, null)))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.FORBIDDEN, "scope_above_role", null))
                   .expectNoEvents();
        }

        @Test
        void aKeyActingForItsCreatorCannotGrantAboveTheCreatorsRole() {
            fixture.givenNoPriorActivity()
                   .when(issue(NAME, Set.of(Scopes.KEYS_MANAGE), new Actor(VIEWER.userId(), Role.VIEWER, "key-0")))
                   .expectException(hasCode(Kind.FORBIDDEN, "scope_above_role", null))
                   .expectNoEvents();
        }

        @Test
        void throughAKeyOnlyScopesTheKeyHoldsAreGranted() {
            Actor throughKey = new Actor(ADMIN.userId(), Role.ADMIN, "key-0",
                    Set.of(Scopes.KEYS_MANAGE, Scopes.USERS_READ));
            fixture.givenNoPriorActivity()
                   .when(issue(NAME, Set.of(Scopes.USERS_READ, Scopes.USERS_MANAGE), throughKey))
                   .expectException(hasCode(Kind.FORBIDDEN, "scope_above_key", null))
                   .expectNoEvents();
        }

        @Test
        void throughAKeyTheNewKeyActsForTheHumanBehindIt() {
            Actor throughKey = new Actor(ADMIN.userId(), Role.ADMIN, "key-0",
                    Set.of(Scopes.KEYS_MANAGE, Scopes.USERS_READ));
            fixture.givenNoPriorActivity()
                   .when(issue(NAME, Set.of(Scopes.USERS_READ), throughKey))
                   .expectEvents(new ApiKeyIssuedEvent(KEY_ID, TENANT_ID, NAME, Set.of(Scopes.USERS_READ), EXPIRES,
                           KEY_HASH, PREFIX, ADMIN.userId(), null, null));
        }

        @ParameterizedTest(name = "[{index}] asked {0}, issuing key usable until {1}: {2}")
        @CsvSource(nullValues = "never", value = {
                "never,                2026-01-02T12:00:00Z, 2026-01-02T12:00:00Z",
                "2026-01-31T12:00:00Z, 2026-01-02T12:00:00Z, 2026-01-02T12:00:00Z",
                "2026-01-01T13:00:00Z, 2026-01-02T12:00:00Z, 2026-01-01T13:00:00Z",
                "2026-01-31T12:00:00Z, never,                2026-01-31T12:00:00Z",
                "never,                never,                never"})
        void throughAKeyTheNewKeyExpiresNoLaterThanTheIssuingKey(Instant asked, Instant usableUntil, Instant expected) {
            Actor throughKey = new Actor(ADMIN.userId(), Role.ADMIN, "key-0", Set.of(Scopes.LATTICES_READ));
            fixture.givenNoPriorActivity()
                   .when(new IssueApiKeyCommand(KEY_ID, TENANT_ID, NAME, Set.of(Scopes.LATTICES_READ), asked, KEY_HASH,
                           PREFIX, null, throughKey, new ActingKey(usableUntil, null)))
                   .expectEvents(new ApiKeyIssuedEvent(KEY_ID, TENANT_ID, NAME, Set.of(Scopes.LATTICES_READ), expected,
                           KEY_HASH, PREFIX, ADMIN.userId(), null, null));
        }

        @ParameterizedTest(name = "[{index}] asked {0}, issuing key's limit {1}: {2}")
        @CsvSource(nullValues = "none", value = {"none, 100, 100", "1000, 100, 100", "10, 100, 10", "50, none, 50",
                "none, none, none"})
        void throughAKeyTheNewKeyAllowsNoMoreCallsThanTheIssuingKey(Integer asked, Integer actingLimit,
                                                                   Integer expected) {
            Actor throughKey = new Actor(ADMIN.userId(), Role.ADMIN, "key-0", Set.of(Scopes.LATTICES_READ));
            fixture.givenNoPriorActivity()
                   .when(new IssueApiKeyCommand(KEY_ID, TENANT_ID, NAME, Set.of(Scopes.LATTICES_READ), EXPIRES, KEY_HASH,
                           PREFIX, asked, throughKey, new ActingKey(null, actingLimit)))
                   .expectEvents(new ApiKeyIssuedEvent(KEY_ID, TENANT_ID, NAME, Set.of(Scopes.LATTICES_READ), EXPIRES,
                           KEY_HASH, PREFIX, ADMIN.userId(), null, expected));
        }

        @Test
        void aSignedInUserIsNotBoundedByAnyKey() {
            fixture.givenNoPriorActivity()
                   .when(new IssueApiKeyCommand(KEY_ID, TENANT_ID, NAME, Set.of(Scopes.LATTICES_READ), null, KEY_HASH,
                           PREFIX, null, ADMIN, new ActingKey(NOW, 1)))
                   .expectEvents(new ApiKeyIssuedEvent(KEY_ID, TENANT_ID, NAME, Set.of(Scopes.LATTICES_READ), null,
                           KEY_HASH, PREFIX, ADMIN.userId(), null, null));
        }

        @Test
        void anIssueThroughAKeyThatDoesNotDescribeItIsRefused() {
            fixture.givenNoPriorActivity()
                   .when(new IssueApiKeyCommand(KEY_ID, TENANT_ID, NAME, Set.of(Scopes.LATTICES_READ), null, KEY_HASH,
                           PREFIX, null, new Actor(ADMIN.userId(), Role.ADMIN, "key-0", Set.copyOf(Scopes.all())),
                           null))
                   .expectException(IllegalArgumentException.class)
                   .expectNoEvents();
        }

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {"   ", "\t\n"})
        void aBlankNameIsRejected(String name) {
            fixture.givenNoPriorActivity()
                   .when(issue(name, Set.of(Scopes.LATTICES_READ), OWNER))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.VALIDATION, "invalid_name", "name"))
                   .expectNoEvents();
        }

        @Test
        void aNameOver100CharactersIsRejected() {
            fixture.givenNoPriorActivity()
                   .when(issue("k".repeat(101), Set.of(Scopes.LATTICES_READ), OWNER))
                   .expectException(hasCode(Kind.VALIDATION, "invalid_name", "name"))
                   .expectNoEvents();
        }

        @Test
        void aNameOf100CharactersIsAccepted() {
            fixture.givenNoPriorActivity()
                   .when(issue(" " + "k".repeat(100) + " ", Set.of(Scopes.LATTICES_READ), OWNER))
                   .expectEvents(new ApiKeyIssuedEvent(KEY_ID, TENANT_ID, "k".repeat(100), Set.of(Scopes.LATTICES_READ),
                           EXPIRES, KEY_HASH, PREFIX, OWNER.userId(), null, null));
        }

        @ParameterizedTest
        @ValueSource(ints = {1, 600, 1_000_000})
        void aKeyMayHaveItsOwnRateLimit(int perMinute) {
            fixture.givenNoPriorActivity()
                   .when(new IssueApiKeyCommand(KEY_ID, TENANT_ID, NAME, Set.of(Scopes.LATTICES_READ), EXPIRES, KEY_HASH,
                           PREFIX, perMinute, CREATOR, null))
                   .expectEvents(new ApiKeyIssuedEvent(KEY_ID, TENANT_ID, NAME, Set.of(Scopes.LATTICES_READ), EXPIRES,
                           KEY_HASH, PREFIX, CREATOR.userId(), null, perMinute));
        }

        @ParameterizedTest
        @ValueSource(ints = {0, -1, 1_000_001, Integer.MIN_VALUE})
        void aRateLimitOutsideOneToAMillionIsRejected(int perMinute) {
            fixture.givenNoPriorActivity()
                   .when(new IssueApiKeyCommand(KEY_ID, TENANT_ID, NAME, Set.of(Scopes.LATTICES_READ), EXPIRES, KEY_HASH,
                           PREFIX, perMinute, CREATOR, null))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.VALIDATION, "invalid_rate_limit", "rate_limit_per_minute"))
                   .expectNoEvents();
        }

        private IssueApiKeyCommand issue(String name, Set<String> scopes, Actor actor) {
            return new IssueApiKeyCommand(KEY_ID, TENANT_ID, name, scopes, EXPIRES, KEY_HASH, PREFIX, null, actor,
                    actor.apiKeyId() == null ? null : new ActingKey(null, null));
        }
    }

    static Stream<Arguments> everyScopeEachRoleHolds() {
        List<String> viewer = List.of(Scopes.USERS_READ, Scopes.LATTICES_READ, Scopes.USAGE_READ);
        List<String> member = List.of(Scopes.USAGE_READ, Scopes.LATTICES_WRITE, Scopes.LATTICES_READ,
                Scopes.USERS_READ);
        List<String> admin = List.of(Scopes.WEBHOOKS_MANAGE, Scopes.USERS_READ, Scopes.KEYS_MANAGE, Scopes.AUDIT_READ,
                Scopes.LATTICES_WRITE, Scopes.USERS_MANAGE, Scopes.LATTICES_READ, Scopes.USAGE_READ);
        List<String> owner = List.copyOf(Scopes.all());
        return Stream.of(Arguments.of(Role.VIEWER, viewer), Arguments.of(Role.MEMBER, member),
                Arguments.of(Role.ADMIN, admin), Arguments.of(Role.OWNER, owner));
    }

    @Nested
    class Revoke {

        @Test
        void theCreatorRevokesTheirKey() {
            fixture.given(issued())
                   .when(new RevokeApiKeyCommand(KEY_ID, TENANT_ID, CREATOR))
                   .expectSuccessfulHandlerExecution()
                   .expectEvents(new ApiKeyRevokedEvent(KEY_ID, TENANT_ID, CREATOR.userId()));
        }

        @Test
        void aViewerRevokesTheirOwnKey() {
            fixture.given(new ApiKeyIssuedEvent(KEY_ID, TENANT_ID, NAME, Set.of(Scopes.LATTICES_READ), EXPIRES,
                                  KEY_HASH, PREFIX, VIEWER.userId(), null, null))
                   .when(new RevokeApiKeyCommand(KEY_ID, TENANT_ID, VIEWER))
                   .expectEvents(new ApiKeyRevokedEvent(KEY_ID, TENANT_ID, VIEWER.userId()));
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @EnumSource(value = Role.class, names = {"OWNER", "ADMIN"})
        void anAdminOrOwnerRevokesAnotherUsersKey(Role role) {
            Actor actor = role == Role.OWNER ? OWNER : ADMIN;
            fixture.given(issued())
                   .when(new RevokeApiKeyCommand(KEY_ID, TENANT_ID, actor))
                   .expectSuccessfulHandlerExecution()
                   .expectEvents(new ApiKeyRevokedEvent(KEY_ID, TENANT_ID, actor.userId()));
        }

        @Test
        void revokingTwiceIsANoOp() {
            fixture.given(issued(), new ApiKeyRevokedEvent(KEY_ID, TENANT_ID, CREATOR.userId()))
                   .when(new RevokeApiKeyCommand(KEY_ID, TENANT_ID, ADMIN))
                   .expectSuccessfulHandlerExecution()
                   .expectNoEvents();
        }

        @Test
        void theCreatorRevokingTwiceIsANoOp() {
            fixture.given(issued(), new ApiKeyRevokedEvent(KEY_ID, TENANT_ID, CREATOR.userId()))
                   .when(new RevokeApiKeyCommand(KEY_ID, TENANT_ID, CREATOR))
                   .expectSuccessfulHandlerExecution()
                   .expectNoEvents();
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @MethodSource("com.catalytic.command.apikey.ApiKeyAggregateTest#everyone")
        void anotherTenantDoesNotSeeTheKey(String who, Actor actor) {
            fixture.given(issued())
                   .when(new RevokeApiKeyCommand(KEY_ID, OTHER_TENANT_ID, actor))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
                   .expectNoEvents();
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @MethodSource("com.catalytic.command.apikey.ApiKeyAggregateTest#neitherCreatorNorAdmin")
        void aUserWhoIsNeitherTheCreatorNorAnAdminDoesNotSeeTheKey(String who, Actor actor) {
            fixture.given(issued())
                   .when(new RevokeApiKeyCommand(KEY_ID, TENANT_ID, actor))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
                   .expectNoEvents();
        }
    }

    static Stream<Arguments> everyone() {
        return Stream.of(Arguments.of("creator", CREATOR), Arguments.of("admin", ADMIN), Arguments.of("owner", OWNER),
                Arguments.of("system", Actor.system()));
    }

    static Stream<Arguments> othersWhoSeeTheKey() {
        return Stream.of(Arguments.of("an admin", ADMIN), Arguments.of("an owner", OWNER),
                Arguments.of("the system", Actor.system()),
                Arguments.of("an admin's key", new Actor(ADMIN.userId(), Role.ADMIN, "key-9", Set.copyOf(Scopes.all()))),
                Arguments.of("an owner's key",
                        new Actor(OWNER.userId(), Role.OWNER, "key-8", Set.copyOf(Scopes.all()))));
    }

    static Stream<Arguments> neitherCreatorNorAdmin() {
        return Stream.of(Arguments.of("another member", OTHER_MEMBER), Arguments.of("a viewer", VIEWER),
                Arguments.of("a member's other key", new Actor(OTHER_MEMBER.userId(), Role.MEMBER, "key-9")));
    }

    @Nested
    class Rotate {

        @Test
        void theCreatorRotatesTheKeyIntoASuccessorWithTheSameScopesAndExpiry() {
            fixture.given(issued())
                   .when(rotate(TENANT_ID, HOUR, NOW, CREATOR))
                   .expectSuccessfulHandlerExecution()
                   .expectEvents(new ApiKeyRotatedEvent(KEY_ID, TENANT_ID, NEW_KEY_ID, NOW.plusSeconds(HOUR),
                                         CREATOR.userId()),
                                 successor(EXPIRES));

            assertThat(createdAggregates.publishedEvents()).singleElement().satisfies(event -> {
                assertThat(event.getType()).isEqualTo("api_key");
                assertThat(event.getAggregateIdentifier()).isEqualTo(NEW_KEY_ID);
                assertThat(event.getSequenceNumber()).isZero();
            });
        }

        /** The new secret would act as the creator: handing it to an admin would let them act as an owner. */
        @ParameterizedTest(name = "[{index}] {0}")
        @MethodSource("com.catalytic.command.apikey.ApiKeyAggregateTest#othersWhoSeeTheKey")
        void nobodyButTheCreatorRotatesTheKey(String who, Actor actor) {
            fixture.given(issued())
                   .when(rotate(TENANT_ID, HOUR, NOW, actor))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.FORBIDDEN, "not_key_creator", null))
                   .expectNoEvents();

            assertThat(createdAggregates.publishedEvents()).isEmpty();
        }

        @Test
        void anAdminCannotRotateAnOwnersKey() {
            fixture.given(new ApiKeyIssuedEvent(KEY_ID, TENANT_ID, NAME, Set.copyOf(Scopes.all()), null, KEY_HASH,
                                  PREFIX, OWNER.userId(), null, null))
                   .when(rotate(TENANT_ID, 0, NOW, ADMIN))
                   .expectException(hasCode(Kind.FORBIDDEN, "not_key_creator", null))
                   .expectNoEvents();

            assertThat(createdAggregates.publishedEvents()).isEmpty();
        }

        @Test
        void theCreatorRotatesThroughAKeyOfTheirOwnThatHoldsTheKey() {
            Actor throughKey = new Actor(CREATOR.userId(), Role.MEMBER, "key-0", KEY_SCOPES);
            fixture.given(issued())
                   .when(rotate(TENANT_ID, HOUR, NOW, throughKey, new ActingKey(EXPIRES, null)))
                   .expectEvents(new ApiKeyRotatedEvent(KEY_ID, TENANT_ID, NEW_KEY_ID, NOW.plusSeconds(HOUR),
                                         CREATOR.userId()),
                                 successor(EXPIRES));
        }

        @Test
        void aKeyRotatesItself() {
            Actor itself = new Actor(CREATOR.userId(), Role.MEMBER, KEY_ID, KEY_SCOPES);
            fixture.given(issued())
                   .when(rotate(TENANT_ID, 0, NOW, itself, new ActingKey(EXPIRES, null)))
                   .expectEvents(new ApiKeyRotatedEvent(KEY_ID, TENANT_ID, NEW_KEY_ID, NOW, CREATOR.userId()),
                                 successor(EXPIRES));
        }

        @Test
        void throughAKeyLackingOneOfItsScopesTheKeyIsNotRotated() {
            Actor narrower = new Actor(CREATOR.userId(), Role.MEMBER, "key-0", Set.of(Scopes.LATTICES_READ));
            fixture.given(issued())
                   .when(rotate(TENANT_ID, HOUR, NOW, narrower, new ActingKey(EXPIRES, null)))
                   .expectException(hasCode(Kind.FORBIDDEN, "scope_above_key", null))
                   .expectNoEvents();

            assertThat(createdAggregates.publishedEvents()).isEmpty();
        }

        @ParameterizedTest(name = "[{index}] key expiring {0}, acting key usable until {1}")
        @CsvSource(nullValues = "never", value = {
                "never,                2026-06-01T00:00:00Z",
                "2026-01-31T12:00:00Z, 2026-01-31T11:59:59Z",
                "2026-01-31T12:00:00Z, 2026-01-01T13:00:00Z"})
        void throughAKeyTheKeyIsNotRotatedWhenItWouldOutliveIt(Instant keyExpiry, Instant usableUntil) {
            Actor throughKey = new Actor(CREATOR.userId(), Role.MEMBER, "key-0", KEY_SCOPES);
            fixture.given(issued(keyExpiry))
                   .when(rotate(TENANT_ID, 0, NOW, throughKey, new ActingKey(usableUntil, null)))
                   .expectException(hasCode(Kind.FORBIDDEN, "expiry_above_key", null))
                   .expectNoEvents();

            assertThat(createdAggregates.publishedEvents()).isEmpty();
        }

        @ParameterizedTest(name = "[{index}] acting key usable until {0}")
        @CsvSource(nullValues = "never", value = {"never", "2026-01-31T12:00:00Z", "2027-01-01T00:00:00Z"})
        void throughAKeyThatLastsAsLongTheKeyIsRotated(Instant usableUntil) {
            Actor throughKey = new Actor(CREATOR.userId(), Role.MEMBER, "key-0", KEY_SCOPES);
            fixture.given(issued())
                   .when(rotate(TENANT_ID, 0, NOW, throughKey, new ActingKey(usableUntil, null)))
                   .expectSuccessfulHandlerExecution()
                   .expectEvents(new ApiKeyRotatedEvent(KEY_ID, TENANT_ID, NEW_KEY_ID, NOW, CREATOR.userId()),
                                 successor(EXPIRES));
        }

        @ParameterizedTest(name = "[{index}] key limit {0}, acting key limit {1}")
        @CsvSource(nullValues = "none", value = {"none, 60", "120, 60"})
        void throughAKeyTheKeyIsNotRotatedWhenItAllowsMoreCalls(Integer keyLimit, Integer actingLimit) {
            Actor throughKey = new Actor(CREATOR.userId(), Role.MEMBER, "key-0", KEY_SCOPES);
            fixture.given(new ApiKeyIssuedEvent(KEY_ID, TENANT_ID, NAME, KEY_SCOPES, EXPIRES, KEY_HASH, PREFIX,
                                  CREATOR.userId(), null, keyLimit))
                   .when(rotate(TENANT_ID, 0, NOW, throughKey, new ActingKey(null, actingLimit)))
                   .expectException(hasCode(Kind.FORBIDDEN, "rate_limit_above_key", null))
                   .expectNoEvents();
        }

        @ParameterizedTest(name = "[{index}] key limit {0}, acting key limit {1}")
        @CsvSource(nullValues = "none", value = {"60, 60", "10, 60", "60, none", "none, none"})
        void throughAKeyAllowingAsManyCallsTheKeyIsRotated(Integer keyLimit, Integer actingLimit) {
            Actor throughKey = new Actor(CREATOR.userId(), Role.MEMBER, "key-0", KEY_SCOPES);
            fixture.given(new ApiKeyIssuedEvent(KEY_ID, TENANT_ID, NAME, KEY_SCOPES, EXPIRES, KEY_HASH, PREFIX,
                                  CREATOR.userId(), null, keyLimit))
                   .when(rotate(TENANT_ID, 0, NOW, throughKey, new ActingKey(null, actingLimit)))
                   .expectEvents(new ApiKeyRotatedEvent(KEY_ID, TENANT_ID, NEW_KEY_ID, NOW, CREATOR.userId()),
                                 new ApiKeyIssuedEvent(NEW_KEY_ID, TENANT_ID, NAME, KEY_SCOPES, EXPIRES, NEW_KEY_HASH,
                                         NEW_PREFIX, CREATOR.userId(), KEY_ID, keyLimit));
        }

        @Test
        void aRotationThroughAKeyThatDoesNotDescribeItIsRefused() {
            Actor throughKey = new Actor(CREATOR.userId(), Role.MEMBER, "key-0", KEY_SCOPES);
            fixture.given(issued())
                   .when(rotate(TENANT_ID, 0, NOW, throughKey, null))
                   .expectException(IllegalArgumentException.class)
                   .expectNoEvents();
        }

        @ParameterizedTest(name = "[{index}] grace {0}s")
        @ValueSource(longs = {0, 1, HOUR, SEVEN_DAYS})
        void theOldKeyStaysValidForTheGraceWindow(long graceSeconds) {
            fixture.given(issued())
                   .when(rotate(TENANT_ID, graceSeconds, NOW, CREATOR))
                   .expectEvents(new ApiKeyRotatedEvent(KEY_ID, TENANT_ID, NEW_KEY_ID, NOW.plusSeconds(graceSeconds),
                                         CREATOR.userId()),
                                 successor(EXPIRES));
        }

        @Test
        void theGraceWindowEndsAtTheKeysExpiry() {
            Instant soon = NOW.plusSeconds(HOUR);
            fixture.given(issued(soon))
                   .when(rotate(TENANT_ID, 24 * HOUR, NOW, CREATOR))
                   .expectEvents(new ApiKeyRotatedEvent(KEY_ID, TENANT_ID, NEW_KEY_ID, soon, CREATOR.userId()),
                                 successor(soon));
        }

        @Test
        void aGraceWindowEndingExactlyAtTheExpiryIsKept() {
            Instant soon = NOW.plusSeconds(HOUR);
            fixture.given(issued(soon))
                   .when(rotate(TENANT_ID, HOUR, NOW, CREATOR))
                   .expectEvents(new ApiKeyRotatedEvent(KEY_ID, TENANT_ID, NEW_KEY_ID, soon, CREATOR.userId()),
                                 successor(soon));
        }

        @Test
        void aKeyWithoutExpiryKeepsTheWholeGraceWindowAndItsSuccessorNeverExpires() {
            fixture.given(issued(null))
                   .when(rotate(TENANT_ID, SEVEN_DAYS, NOW, CREATOR))
                   .expectEvents(new ApiKeyRotatedEvent(KEY_ID, TENANT_ID, NEW_KEY_ID, NOW.plusSeconds(SEVEN_DAYS),
                                         CREATOR.userId()),
                                 successor(null));
        }

        @Test
        void aSuccessorCanBeRotatedInTurn() {
            ApiKeyIssuedEvent successorOfAnEarlierKey = new ApiKeyIssuedEvent(KEY_ID, TENANT_ID, NAME, KEY_SCOPES,
                    EXPIRES, KEY_HASH, PREFIX, CREATOR.userId(), "key-0", null);
            fixture.given(successorOfAnEarlierKey)
                   .when(rotate(TENANT_ID, 0, NOW, CREATOR))
                   .expectEvents(new ApiKeyRotatedEvent(KEY_ID, TENANT_ID, NEW_KEY_ID, NOW, CREATOR.userId()),
                                 successor(EXPIRES));
        }

        @Test
        void theSuccessorKeepsTheKeysRateLimit() {
            fixture.given(new ApiKeyIssuedEvent(KEY_ID, TENANT_ID, NAME, KEY_SCOPES, EXPIRES, KEY_HASH, PREFIX,
                                  CREATOR.userId(), null, 120))
                   .when(rotate(TENANT_ID, HOUR, NOW, CREATOR))
                   .expectEvents(new ApiKeyRotatedEvent(KEY_ID, TENANT_ID, NEW_KEY_ID, NOW.plusSeconds(HOUR),
                                         CREATOR.userId()),
                                 new ApiKeyIssuedEvent(NEW_KEY_ID, TENANT_ID, NAME, KEY_SCOPES, EXPIRES, NEW_KEY_HASH,
                                         NEW_PREFIX, CREATOR.userId(), KEY_ID, 120));
        }

        @ParameterizedTest(name = "[{index}] grace {0}s")
        @ValueSource(longs = {-1, -HOUR, SEVEN_DAYS + 1, 30 * 24 * HOUR, Long.MAX_VALUE, Long.MIN_VALUE})
        void aGraceWindowOutsideZeroToSevenDaysIsRejected(long graceSeconds) {
            fixture.given(issued())
                   .when(rotate(TENANT_ID, graceSeconds, NOW, CREATOR))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.VALIDATION, "invalid_grace_seconds", "grace_seconds"))
                   .expectNoEvents();

            assertThat(createdAggregates.publishedEvents()).isEmpty();
        }

        @Test
        void aRotatedKeyCannotBeRotatedAgain() {
            fixture.given(issued(), new ApiKeyRotatedEvent(KEY_ID, TENANT_ID, "key-earlier-successor",
                                          NOW.plusSeconds(HOUR), CREATOR.userId()))
                   .when(rotate(TENANT_ID, HOUR, NOW.plusSeconds(60), CREATOR))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.CONFLICT, "api_key_rotated", null))
                   .expectNoEvents();

            assertThat(createdAggregates.publishedEvents()).isEmpty();
        }

        @Test
        void aRevokedKeyCannotBeRotated() {
            fixture.given(issued(), new ApiKeyRevokedEvent(KEY_ID, TENANT_ID, CREATOR.userId()))
                   .when(rotate(TENANT_ID, HOUR, NOW, CREATOR))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.CONFLICT, "api_key_revoked", null))
                   .expectNoEvents();

            assertThat(createdAggregates.publishedEvents()).isEmpty();
        }

        @ParameterizedTest(name = "[{index}] {0}s after expiry")
        @ValueSource(longs = {0, 1, 24 * HOUR})
        void anExpiredKeyCannotBeRotated(long secondsAfterExpiry) {
            fixture.given(issued())
                   .when(rotate(TENANT_ID, HOUR, EXPIRES.plusSeconds(secondsAfterExpiry), CREATOR))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.CONFLICT, "api_key_expired", null))
                   .expectNoEvents();

            assertThat(createdAggregates.publishedEvents()).isEmpty();
        }

        @Test
        void aKeyIsRotatedUpToTheLastSecondBeforeItsExpiry() {
            Instant lastSecond = EXPIRES.minusSeconds(1);
            fixture.given(issued())
                   .when(rotate(TENANT_ID, HOUR, lastSecond, CREATOR))
                   .expectEvents(new ApiKeyRotatedEvent(KEY_ID, TENANT_ID, NEW_KEY_ID, EXPIRES, CREATOR.userId()),
                                 successor(EXPIRES));
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @MethodSource("com.catalytic.command.apikey.ApiKeyAggregateTest#everyone")
        void anotherTenantDoesNotSeeTheKey(String who, Actor actor) {
            fixture.given(issued())
                   .when(rotate(OTHER_TENANT_ID, HOUR, NOW, actor))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
                   .expectNoEvents();

            assertThat(createdAggregates.publishedEvents()).isEmpty();
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @MethodSource("com.catalytic.command.apikey.ApiKeyAggregateTest#neitherCreatorNorAdmin")
        void aUserWhoIsNeitherTheCreatorNorAnAdminDoesNotSeeTheKey(String who, Actor actor) {
            fixture.given(issued())
                   .when(rotate(TENANT_ID, HOUR, NOW, actor))
                   .expectException(DomainException.class)
                   .expectException(hasCode(Kind.NOT_FOUND, "not_found", null))
                   .expectNoEvents();

            assertThat(createdAggregates.publishedEvents()).isEmpty();
        }

        private RotateApiKeyCommand rotate(String tenantId, long graceSeconds, Instant at, Actor actor) {
            return rotate(tenantId, graceSeconds, at, actor,
                    actor.apiKeyId() == null ? null : new ActingKey(null, null));
        }

        private RotateApiKeyCommand rotate(String tenantId, long graceSeconds, Instant at, Actor actor,
                                           ActingKey through) {
            return new RotateApiKeyCommand(KEY_ID, tenantId, NEW_KEY_ID, NEW_KEY_HASH, NEW_PREFIX, graceSeconds, at,
                    actor, through);
        }

        /** The successor: the old key's name, scopes, expiry and creator, with the new secret, pointing back. */
        private ApiKeyIssuedEvent successor(Instant expiresAt) {
            return new ApiKeyIssuedEvent(NEW_KEY_ID, TENANT_ID, NAME, KEY_SCOPES, expiresAt, NEW_KEY_HASH, NEW_PREFIX,
                    CREATOR.userId(), KEY_ID, null);
        }
    }

    /** The key issued by {@code actor} in {@link Issue}, with exactly these scopes, iterated in this order. */
    private static Matcher<ApiKeyIssuedEvent> issuedWithScopes(Actor actor, String... orderedScopes) {
        ApiKeyIssuedEvent expected = new ApiKeyIssuedEvent(KEY_ID, TENANT_ID, NAME, Set.of(orderedScopes), EXPIRES,
                KEY_HASH, PREFIX, actor.userId(), null, null);
        return new TypeSafeDiagnosingMatcher<>() {
            @Override
            protected boolean matchesSafely(ApiKeyIssuedEvent e, Description mismatch) {
                mismatch.appendText("was " + e + " with scopes in the order " + List.copyOf(e.scopes()));
                return expected.equals(e) && List.copyOf(e.scopes()).equals(Arrays.asList(orderedScopes));
            }

            @Override
            public void describeTo(Description description) {
                description.appendText(expected + " with scopes in the order " + Arrays.asList(orderedScopes));
            }
        };
    }
}
