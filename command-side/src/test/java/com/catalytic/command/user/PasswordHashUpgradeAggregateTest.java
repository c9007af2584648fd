package com.catalytic.command.user;

import com.catalytic.api.identity.Role;
import com.catalytic.api.user.UserMessages.PasswordHashUpgradedEvent;
import com.catalytic.api.user.UserMessages.PasswordResetEvent;
import com.catalytic.api.user.UserMessages.UpgradePasswordHashCommand;
import com.catalytic.api.user.UserRegisteredEvent;
import com.catalytic.command.personal.UnsealedPersonalData;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A bcrypt hash imported from the original service is replaced once, and never over a newer password. */
class PasswordHashUpgradeAggregateTest {

    private static final String USER_ID = "user-1";
    private static final String TENANT_ID = "tenant-1";
    private static final String BCRYPT = "$2b$12$UhmT86o3/JBjGqRByPycFO1S4PjtvvRaLOsOuG5AJCcKXJ2Q2cSxu";
    private static final String ARGON = "$argon2id$v=19$m=16384,t=2,p=1$c2FsdA$aGFzaA";

    private AggregateTestFixture<UserAggregate> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(UserAggregate.class);
        fixture.registerInjectableResource(new UnsealedPersonalData());
    }

    private static UserRegisteredEvent registered(String hash) {
        return new UserRegisteredEvent(USER_ID, TENANT_ID, "ada@example.com", hash, Role.MEMBER);
    }

    @Test
    void anImportedBcryptHashIsReplaced() {
        fixture.given(registered(BCRYPT))
                .when(new UpgradePasswordHashCommand(USER_ID, ARGON))
                .expectEvents(new PasswordHashUpgradedEvent(USER_ID, TENANT_ID, ARGON))
                .expectResultMessagePayload(true);
    }

    @Test
    void onlyOnce() {
        fixture.given(registered(BCRYPT), new PasswordHashUpgradedEvent(USER_ID, TENANT_ID, ARGON))
                .when(new UpgradePasswordHashCommand(USER_ID, ARGON + "x"))
                .expectNoEvents()
                .expectResultMessagePayload(false);
    }

    @Test
    void notOverAPasswordResetMeanwhile() {
        fixture.given(registered(BCRYPT), new PasswordResetEvent(USER_ID, TENANT_ID, ARGON))
                .when(new UpgradePasswordHashCommand(USER_ID, ARGON + "x"))
                .expectNoEvents()
                .expectResultMessagePayload(false);
    }

    @Test
    void notForAnAccountThatNeverHadABcryptHash() {
        fixture.given(registered(ARGON))
                .when(new UpgradePasswordHashCommand(USER_ID, ARGON + "x"))
                .expectNoEvents()
                .expectResultMessagePayload(false);
    }
}
