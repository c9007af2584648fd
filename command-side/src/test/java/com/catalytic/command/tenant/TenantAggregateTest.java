package com.catalytic.command.tenant;

import static com.catalytic.command.DomainExceptionMatchers.hasCode;
import static com.catalytic.command.EventPayloads.inAnyOrder;
import static com.catalytic.command.EventPayloads.inOrder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.axonframework.test.matchers.Matchers.payloadsMatching;
import static org.hamcrest.Matchers.equalTo;

import com.catalytic.api.error.DomainException.Kind;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Role;
import com.catalytic.api.tenant.RegisterTenantCommand;
import com.catalytic.api.tenant.TenantRegisteredEvent;
import com.catalytic.api.user.UserRegisteredEvent;
import com.catalytic.command.personal.UnsealedPersonalData;
import com.catalytic.command.uniqueness.InMemoryUniqueKeyRegistry;
import com.catalytic.command.uniqueness.UniqueKeyRegistry.Scope;
import com.catalytic.command.user.UserAggregate;
import java.util.List;
import java.util.Objects;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeDiagnosingMatcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;

class TenantAggregateTest {

    private static final String TENANT_ID = "tenant-1";
    private static final String OWNER_ID = "user-1";
    private static final String COMPANY = "Acme Corp";
    private static final String SLUG = "acme-corp";
    // The local part is long enough that "password = local part" is not already caught by the length rule.
    private static final String RAW_EMAIL = "  Maximilian.Owner@Acme.IO ";
    private static final String EMAIL = "maximilian.owner@acme.io";
    private static final String PASSWORD = "correct horse battery";

    private final InMemoryUniqueKeyRegistry registry = new InMemoryUniqueKeyRegistry();
    private final PasswordEncoder passwordEncoder = new BCryptPasswordEncoder(4);
    private AggregateTestFixture<TenantAggregate> fixture;
    private CreatedAggregateRepositoryProvider createdAggregates;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(TenantAggregate.class);
        fixture.registerInjectableResource(new UnsealedPersonalData());
        createdAggregates = new CreatedAggregateRepositoryProvider(fixture.getEventStore(), UserAggregate.class);
        // Must precede anything that builds the fixture's repository, which captures the provider.
        fixture.registerRepositoryProvider(createdAggregates);
        fixture.registerInjectableResource(registry);
        fixture.registerInjectableResource(passwordEncoder);
    }

    @Test
    void registrationCreatesTheTenantAndItsOwner() {
        fixture.givenNoPriorActivity()
               .when(register(RAW_EMAIL, PASSWORD))
               .expectSuccessfulHandlerExecution()
               .expectEventsMatching(payloadsMatching(inAnyOrder(equalTo(tenantRegistered()), ownerRegistered())));

        List<DomainEventMessage<?>> userEvents = createdAggregates.publishedEvents();
        assertThat(userEvents).singleElement().satisfies(event -> {
            assertThat(event.getType()).isEqualTo("user");
            assertThat(event.getAggregateIdentifier()).isEqualTo(OWNER_ID);
            assertThat(event.getSequenceNumber()).isZero();
        });
        assertThat(registry.ownerOf(Scope.TENANT_SLUG, SLUG)).isEqualTo(TENANT_ID);
        assertThat(registry.ownerOf(Scope.EMAIL, EMAIL)).isEqualTo(OWNER_ID);
    }

    @Test
    void theTenantIsRegisteredBeforeItsOwner() {
        fixture.givenNoPriorActivity()
               .when(register(RAW_EMAIL, PASSWORD))
               .expectEventsMatching(payloadsMatching(inOrder(equalTo(tenantRegistered()), ownerRegistered())));
    }

    @ParameterizedTest
    @ValueSource(strings = {EMAIL, "MAXIMILIAN.OWNER@ACME.IO", "\tMaximilian.Owner@acme.io  "})
    void anEmailAlreadyRegisteredIsRejectedWhateverItsCase(String email) {
        registry.claim(Scope.EMAIL, EMAIL, "someone-else");

        fixture.givenNoPriorActivity()
               .when(register(email, PASSWORD))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.CONFLICT, "email_taken", "email"))
               .expectNoEvents();

        assertThat(registry.ownerOf(Scope.EMAIL, EMAIL)).isEqualTo("someone-else");
        assertThat(createdAggregates.publishedEvents()).isEmpty();
    }

    @Test
    void aSlugAlreadyTakenIsRejected() {
        registry.claim(Scope.TENANT_SLUG, SLUG, "other-tenant");

        fixture.givenNoPriorActivity()
               .when(register(RAW_EMAIL, PASSWORD))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.CONFLICT, "slug_taken", "company_name"))
               .expectNoEvents();

        assertThat(registry.ownerOf(Scope.TENANT_SLUG, SLUG)).isEqualTo("other-tenant");
        assertThat(registry.isClaimed(Scope.EMAIL, EMAIL)).isFalse();
        assertThat(createdAggregates.publishedEvents()).isEmpty();
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', value = {
            "short pw   | password_too_short",
            "123456789  | password_too_short",
            "Maximilian.Owner@Acme.IO | password_matches_email",
            "maximilian.owner         | password_matches_email",
            "password123 | password_too_common",
            "QwertyUiop  | password_too_common",
            "aaaaaaaaaaaa | password_too_common"})
    void aWeakPasswordIsRejectedAndClaimsNothing(String password, String code) {
        fixture.givenNoPriorActivity()
               .when(register(RAW_EMAIL, password))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.VALIDATION, code, "password"))
               .expectNoEvents();

        assertThat(registry.size()).isZero();
    }

    @Test
    void aMissingPasswordIsRejected() {
        fixture.givenNoPriorActivity()
               .when(register(RAW_EMAIL, null))
               .expectException(hasCode(Kind.VALIDATION, "password_too_short", "password"))
               .expectNoEvents();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"not-an-email", "owner@", "@acme.io", "owner@acme", "owner@@acme.io", "own er@acme.io"})
    void anInvalidEmailIsRejected(String email) {
        fixture.givenNoPriorActivity()
               .when(register(email, PASSWORD))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.VALIDATION, "invalid_email", "email"))
               .expectNoEvents();

        assertThat(registry.size()).isZero();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "\t\n"})
    void aBlankCompanyNameIsRejected(String companyName) {
        fixture.givenNoPriorActivity()
               .when(new RegisterTenantCommand(TENANT_ID, companyName, SLUG, OWNER_ID, RAW_EMAIL, PASSWORD))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.VALIDATION, "invalid_company_name", "company_name"))
               .expectNoEvents();
    }

    @Test
    void aCompanyNameOver200CharactersIsRejected() {
        fixture.givenNoPriorActivity()
               .when(new RegisterTenantCommand(TENANT_ID, "x".repeat(201), SLUG, OWNER_ID, RAW_EMAIL, PASSWORD))
               .expectException(hasCode(Kind.VALIDATION, "invalid_company_name", "company_name"))
               .expectNoEvents();
    }

    @Test
    void theCompanyNameIsStoredTrimmed() {
        fixture.givenNoPriorActivity()
               .when(new RegisterTenantCommand(TENANT_ID, "  " + COMPANY + " ", SLUG, OWNER_ID, RAW_EMAIL, PASSWORD))
               .expectEventsMatching(payloadsMatching(inAnyOrder(equalTo(tenantRegistered()), ownerRegistered())));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"Acme-Corp", "acme corp", "-acme", "acme-", "acme--corp"})
    void anInvalidSlugIsRejected(String slug) {
        fixture.givenNoPriorActivity()
               .when(new RegisterTenantCommand(TENANT_ID, COMPANY, slug, OWNER_ID, RAW_EMAIL, PASSWORD))
               .expectException(hasCode(Kind.VALIDATION, "invalid_slug", "company_name"))
               .expectNoEvents();
    }

    private static RegisterTenantCommand register(String email, String password) {
        return new RegisterTenantCommand(TENANT_ID, COMPANY, SLUG, OWNER_ID, email, password);
    }

    private static TenantRegisteredEvent tenantRegistered() {
        return new TenantRegisteredEvent(TENANT_ID, COMPANY, SLUG, TenantAggregate.DEFAULT_PLAN, OWNER_ID, EMAIL);
    }

    /** The owner's account: normalised e-mail, role OWNER and a real hash of the password, never the password. */
    private Matcher<UserRegisteredEvent> ownerRegistered() {
        return new TypeSafeDiagnosingMatcher<>() {
            @Override
            protected boolean matchesSafely(UserRegisteredEvent e, Description mismatch) {
                mismatch.appendText("was userId=" + e.userId() + ", tenantId=" + e.tenantId() + ", email="
                        + e.email() + ", role=" + e.role() + ", hash " + describeHash(e.passwordHash()));
                return OWNER_ID.equals(e.userId()) && TENANT_ID.equals(e.tenantId()) && EMAIL.equals(e.email())
                        && e.role() == Role.OWNER && e.passwordHash() != null && !PASSWORD.equals(e.passwordHash())
                        && passwordEncoder.matches(PASSWORD, e.passwordHash());
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("UserRegisteredEvent of " + OWNER_ID + " in " + TENANT_ID + " as " + EMAIL
                        + ", role OWNER, with a hash of the password");
            }
        };
    }

    private String describeHash(String hash) {
        if (hash == null) return "missing";
        if (Objects.equals(hash, PASSWORD)) return "is the plain password";
        return passwordEncoder.matches(PASSWORD, hash) ? "matches" : "does not match the password";
    }
}
