package com.catalytic.command.user;

import static com.catalytic.command.DomainExceptionMatchers.hasCode;
import static com.catalytic.command.EventPayloads.inOrder;
import static org.axonframework.test.matchers.Matchers.payloadsMatching;

import com.catalytic.api.error.DomainException.Kind;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Role;
import com.catalytic.api.user.UserMessages.AcceptInvitationCommand;
import com.catalytic.api.user.UserMessages.InvitationAcceptedEvent;
import com.catalytic.api.user.UserMessages.InvitationIssuedEvent;
import com.catalytic.api.user.UserRegisteredEvent;
import com.catalytic.command.personal.UnsealedPersonalData;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
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

/** An invited user sets their password through the one-time link, once, before it expires. */
class UserAggregateTest {

    private static final String USER_ID = "user-invited";
    private static final String TENANT_ID = "tenant-1";
    // The local part is long enough that "password = local part" is not already caught by the length rule.
    private static final String EMAIL = "maximilian.invitee@acme.io";
    private static final String TOKEN_HASH = "9a3c1e5f7b2d4a6c8e0f1a3b5c7d9e2f4a6b8c0d1e3f5a7b9c2d4e6f8a0b1c3d";
    private static final String PASSWORD = "correct horse battery";
    // the command carries the instant it was requested at, so expiry is decided against a fixed clock
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final Instant EXPIRES = NOW.plus(Duration.ofDays(7));

    private final PasswordEncoder passwordEncoder = new BCryptPasswordEncoder(4);
    private AggregateTestFixture<UserAggregate> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(UserAggregate.class);
        fixture.registerInjectableResource(new UnsealedPersonalData());
        fixture.registerInjectableResource(passwordEncoder);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 3_600, 7 * 24 * 3_600 - 1})
    void theRightTokenBeforeExpirySetsThePassword(long secondsAfterIssue) {
        fixture.given(registeredWithoutPassword(), invitation())
               .when(accept(TOKEN_HASH, PASSWORD, NOW.plusSeconds(secondsAfterIssue)))
               .expectSuccessfulHandlerExecution()
               .expectEventsMatching(payloadsMatching(inOrder(acceptedWithHashOf(PASSWORD))));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"not-the-token-hash", TOKEN_HASH + "0", "9A3C1E5F7B2D4A6C8E0F1A3B5C7D9E2F4A6B8C0D1E3F5A7B9C2D4E6F8A0B1C3D"})
    void aWrongTokenIsAnInvalidInvitation(String tokenHash) {
        fixture.given(registeredWithoutPassword(), invitation())
               .when(accept(tokenHash, PASSWORD, NOW))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.UNAUTHORIZED, "invalid_invitation", null))
               .expectNoEvents();
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 86_400})
    void anExpiredInvitationIsRejected(long secondsAfterExpiry) {
        fixture.given(registeredWithoutPassword(), invitation())
               .when(accept(TOKEN_HASH, PASSWORD, EXPIRES.plusSeconds(secondsAfterExpiry)))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.UNAUTHORIZED, "invitation_expired", null))
               .expectNoEvents();
    }

    @Test
    void anInvitationIsAcceptedOnlyOnce() {
        fixture.given(registeredWithoutPassword(), invitation(),
                      new InvitationAcceptedEvent(USER_ID, TENANT_ID, passwordEncoder.encode(PASSWORD)))
               .when(accept(TOKEN_HASH, "another good passphrase", NOW.plusSeconds(60)))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.UNAUTHORIZED, "invalid_invitation", null))
               .expectNoEvents();
    }

    @Test
    void aUserWithAPasswordHasNoInvitationToAccept() {
        fixture.given(new UserRegisteredEvent(USER_ID, TENANT_ID, EMAIL, passwordEncoder.encode(PASSWORD), Role.MEMBER))
               .when(accept(TOKEN_HASH, PASSWORD, NOW))
               .expectException(hasCode(Kind.UNAUTHORIZED, "invalid_invitation", null))
               .expectNoEvents();
    }



    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', value = {
            "short pw                   | password_too_short",
            "'          '               | password_too_common",
            "Maximilian.Invitee@Acme.IO | password_matches_email",
            "maximilian.invitee         | password_matches_email",
            "password123                | password_too_common",
            "aaaaaaaaaaaa               | password_too_common"})
    void aWeakPasswordIsRejected(String password, String code) {
        fixture.given(registeredWithoutPassword(), invitation())
               .when(accept(TOKEN_HASH, password, NOW))
               .expectException(DomainException.class)
               .expectException(hasCode(Kind.VALIDATION, code, "password"))
               .expectNoEvents();
    }

    @Test
    void aMissingPasswordIsRejected() {
        fixture.given(registeredWithoutPassword(), invitation())
               .when(accept(TOKEN_HASH, null, NOW))
               .expectException(hasCode(Kind.VALIDATION, "password_too_short", "password"))
               .expectNoEvents();
    }


    private static UserRegisteredEvent registeredWithoutPassword() {
        return new UserRegisteredEvent(USER_ID, TENANT_ID, EMAIL, null, Role.MEMBER);
    }

    private static InvitationIssuedEvent invitation() {
        return new InvitationIssuedEvent(USER_ID, TENANT_ID, TOKEN_HASH, EXPIRES);
    }

    private static AcceptInvitationCommand accept(String tokenHash, String password, Instant at) {
        return new AcceptInvitationCommand(USER_ID, tokenHash, password, at);
    }

    /** The acceptance of this user's invitation with a real hash of the password, never the password. */
    private Matcher<InvitationAcceptedEvent> acceptedWithHashOf(String password) {
        return new TypeSafeDiagnosingMatcher<>() {
            @Override
            protected boolean matchesSafely(InvitationAcceptedEvent e, Description mismatch) {
                mismatch.appendText("was userId=" + e.userId() + ", tenantId=" + e.tenantId() + ", hash "
                        + describeHash(password, e.passwordHash()));
                return USER_ID.equals(e.userId()) && TENANT_ID.equals(e.tenantId()) && e.passwordHash() != null
                        && !password.equals(e.passwordHash()) && passwordEncoder.matches(password, e.passwordHash());
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("InvitationAcceptedEvent of " + USER_ID + " in " + TENANT_ID
                        + " with a hash of the password");
            }
        };
    }

    private String describeHash(String password, String hash) {
        if (hash == null) return "missing";
        if (Objects.equals(hash, password)) return "is the plain password";
        return passwordEncoder.matches(password, hash) ? "matches" : "does not match the password";
    }
}
