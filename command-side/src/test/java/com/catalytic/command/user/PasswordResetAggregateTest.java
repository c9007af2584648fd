package com.catalytic.command.user;

import static com.catalytic.command.DomainExceptionMatchers.hasCode;

import com.catalytic.api.error.DomainException.Kind;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Role;
import com.catalytic.api.user.UserMessages.InvitationAcceptedEvent;
import com.catalytic.api.user.UserMessages.InvitationIssuedEvent;
import com.catalytic.api.user.UserMessages.PasswordResetEvent;
import com.catalytic.api.user.UserMessages.PasswordResetRequestedEvent;
import com.catalytic.api.user.UserMessages.RequestPasswordResetCommand;
import com.catalytic.api.user.UserMessages.ResetPasswordCommand;
import com.catalytic.api.user.UserRegisteredEvent;
import com.catalytic.command.personal.UnsealedPersonalData;
import java.time.Duration;
import java.time.Instant;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.matchers.Matchers;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;

/** A password is reset through a one-time link: the right token, before it expires, once. */
class PasswordResetAggregateTest {

    private static final String USER_ID = "user-1";
    private static final String TENANT_ID = "tenant-1";
    private static final String EMAIL = "grace.hopper@example.com";
    private static final String HASH = "5f2b8c0d1e3f5a7b9c2d4e6f8a0b1c3d9a3c1e5f7b2d4a6c8e0f1a3b5c7d9e2f";
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final Instant EXPIRES = NOW.plus(Duration.ofHours(1));

    private final PasswordEncoder encoder = new BCryptPasswordEncoder(4);
    private AggregateTestFixture<UserAggregate> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(UserAggregate.class);
        fixture.registerInjectableResource(new UnsealedPersonalData());
        fixture.registerInjectableResource(encoder);
    }

    private static UserRegisteredEvent registered() {
        return new UserRegisteredEvent(USER_ID, TENANT_ID, EMAIL, "$2a$04$existing", Role.MEMBER);
    }

    private static PasswordResetRequestedEvent requested() {
        return new PasswordResetRequestedEvent(USER_ID, TENANT_ID, HASH, EXPIRES);
    }

    @Test
    void aRequestRecordsTheTokensHashAndExpiry() {
        fixture.given(registered())
               .when(new RequestPasswordResetCommand(USER_ID, HASH, EXPIRES))
               .expectEvents(requested());
    }

    @Test
    void aUserWithAPendingInvitationCannotResetAPasswordNeverSet() {
        fixture.given(new UserRegisteredEvent(USER_ID, TENANT_ID, EMAIL, null, Role.MEMBER),
                       new InvitationIssuedEvent(USER_ID, TENANT_ID, "invitation-hash", EXPIRES))
               .when(new RequestPasswordResetCommand(USER_ID, HASH, EXPIRES))
               .expectException(DomainException.class)
               .expectNoEvents();
    }

    @Test
    void anAccountWithoutAPasswordGetsNoResetLink() {
        fixture.given(new UserRegisteredEvent(USER_ID, TENANT_ID, EMAIL, null, Role.MEMBER))
               .when(new RequestPasswordResetCommand(USER_ID, HASH, EXPIRES))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.CONFLICT, "no_password", null))
               .expectNoEvents();
    }

    @Test
    void anAccountWhoseInvitationWasAcceptedResetsItsPassword() {
        fixture.given(new UserRegisteredEvent(USER_ID, TENANT_ID, EMAIL, null, Role.MEMBER),
                       new InvitationIssuedEvent(USER_ID, TENANT_ID, "invitation-hash", EXPIRES),
                       new InvitationAcceptedEvent(USER_ID, TENANT_ID, "$2a$04$x"))
               .when(new RequestPasswordResetCommand(USER_ID, HASH, EXPIRES))
               .expectEvents(requested());
    }

    @Test
    void theRightTokenBeforeExpirySetsAHashOfTheNewPassword() {
        Matcher<PasswordResetEvent> hashOfNewPassword = new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(PasswordResetEvent e) {
                return USER_ID.equals(e.userId()) && TENANT_ID.equals(e.tenantId()) && e.passwordHash() != null
                        && !e.passwordHash().equals("a brand new passphrase")
                        && encoder.matches("a brand new passphrase", e.passwordHash());
            }

            @Override
            public void describeTo(Description d) {
                d.appendText("PasswordResetEvent with a hash of the new password");
            }
        };
        fixture.given(registered(), requested())
               .when(new ResetPasswordCommand(USER_ID, HASH, "a brand new passphrase", EXPIRES.minusSeconds(1)))
               .expectSuccessfulHandlerExecution()
               .expectEventsMatching(Matchers.payloadsMatching(
                       Matchers.exactSequenceOf(hashOfNewPassword)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not-the-hash", HASH + "0"})
    void aWrongTokenIsInvalid(String hash) {
        fixture.given(registered(), requested())
               .when(new ResetPasswordCommand(USER_ID, hash, "a brand new passphrase", NOW))
               .expectException(DomainException.class)
               .expectExceptionMessage("this password-reset link is not valid")
               .expectNoEvents();
    }

    @Test
    void anExpiredLinkAUsedLinkAndNoRequestAreRefused() {
        fixture.given(registered(), requested())
               .when(new ResetPasswordCommand(USER_ID, HASH, "a brand new passphrase", EXPIRES))
               .expectExceptionMessage("this password-reset link has expired; ask for a new one")
               .expectNoEvents();
        fixture.given(registered(), requested(), new PasswordResetEvent(USER_ID, TENANT_ID, "$2a$04$new"))
               .when(new ResetPasswordCommand(USER_ID, HASH, "a brand new passphrase", NOW))
               .expectExceptionMessage("this password-reset link is not valid")
               .expectNoEvents();
        fixture.given(registered())
               .when(new ResetPasswordCommand(USER_ID, HASH, "a brand new passphrase", NOW))
               .expectExceptionMessage("this password-reset link is not valid")
               .expectNoEvents();
    }

    @Test
    void aWeakPasswordIsRefused() {
        fixture.given(registered(), requested())
               .when(new ResetPasswordCommand(USER_ID, HASH, "short", NOW))
               .expectException(DomainException.class)
               .expectNoEvents();
    }
}
