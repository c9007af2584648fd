package com.catalytic.command.user;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.personal.PersonalData;
import com.catalytic.api.user.UserMessages.AcceptInvitationCommand;
import com.catalytic.api.user.UserMessages.InvitationAcceptedEvent;
import com.catalytic.api.user.UserMessages.InvitationIssuedEvent;
import com.catalytic.api.user.UserMessages.PasswordHashUpgradedEvent;
import com.catalytic.api.user.UserMessages.PasswordResetEvent;
import com.catalytic.api.user.UserMessages.PasswordResetRequestedEvent;
import com.catalytic.api.user.UserMessages.RequestPasswordResetCommand;
import com.catalytic.api.user.UserMessages.ResetPasswordCommand;
import com.catalytic.api.user.UserMessages.UpgradePasswordHashCommand;
import com.catalytic.api.user.UserRegisteredEvent;
import com.catalytic.infrastructure.credentials.LegacyAwarePasswordEncoder;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import java.time.Instant;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.serialization.Revision;
import org.axonframework.spring.stereotype.Aggregate;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * A person's account: e-mail, password hash, pending invitation. Created by its tenant, which owns the person's
 * membership (role, active).
 */
@Aggregate(type = "user", snapshotTriggerDefinition = "userSnapshotTrigger")
@Revision("1")
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE)
public class UserAggregate {

    @AggregateIdentifier
    private String userId;
    private String tenantId;
    /** As sealed in the events (personal data). */
    private String email;
    private boolean passwordSet;
    /** The stored hash is the original service's bcrypt, to be replaced at the next successful login. */
    private boolean legacyHash;
    private String invitationTokenHash;
    private Instant invitationExpiresAt;
    private String resetTokenHash;
    private Instant resetExpiresAt;

    protected UserAggregate() {
    }

    /** Used by the tenant through {@code createNew}, inside the tenant's command. */
    public UserAggregate(UserRegisteredEvent registered, InvitationIssuedEvent invitation) {
        apply(registered);
        if (invitation != null) {
            apply(invitation);
        }
    }

    @CommandHandler
    public void handle(AcceptInvitationCommand cmd, PasswordEncoder passwordEncoder, PersonalData personalData) {
        if (invitationTokenHash == null || !invitationTokenHash.equals(cmd.tokenHash())) {
            throw invalidInvitation();
        }
        if (!cmd.requestedAt().isBefore(invitationExpiresAt)) {
            throw DomainException.unauthorized("invitation_expired", "this invitation has expired; ask for a new one");
        }
        PasswordPolicy.requireAcceptable(cmd.password(), personalData.open(email));
        apply(new InvitationAcceptedEvent(userId, tenantId, passwordEncoder.encode(cmd.password())));
    }

    /** A pending invitation is answered by accepting it, not by a reset (the link would bypass the invitation). */
    @CommandHandler
    public void handle(RequestPasswordResetCommand cmd) {
        if (invitationTokenHash != null) {
            throw DomainException.conflict("invitation_pending", "this user has not accepted the invitation yet", null);
        }
        if (!passwordSet) {
            // e.g. a member whose address is held in another tenant: a link would hand over a login it never had
            throw DomainException.conflict("no_password", "this account has no password to reset", null);
        }
        apply(new PasswordResetRequestedEvent(userId, tenantId, cmd.tokenHash(), cmd.expiresAt()));
    }

    @CommandHandler
    public void handle(ResetPasswordCommand cmd, PasswordEncoder passwordEncoder, PersonalData personalData) {
        if (resetTokenHash == null || !resetTokenHash.equals(cmd.tokenHash())) {
            throw invalidReset();
        }
        if (!cmd.requestedAt().isBefore(resetExpiresAt)) {
            throw DomainException.unauthorized("reset_expired", "this password-reset link has expired; ask for a new one");
        }
        PasswordPolicy.requireAcceptable(cmd.password(), personalData.open(email));
        apply(new PasswordResetEvent(userId, tenantId, passwordEncoder.encode(cmd.password())));
    }

    /** Returns whether the hash was replaced (false: it was not a legacy hash any more). */
    @CommandHandler
    public boolean handle(UpgradePasswordHashCommand cmd) {
        if (!legacyHash) {
            return false;
        }
        apply(new PasswordHashUpgradedEvent(userId, tenantId, cmd.passwordHash()));
        return true;
    }

    public static DomainException invalidReset() {
        return DomainException.unauthorized("invalid_reset_token", "this password-reset link is not valid");
    }

    public static DomainException invalidInvitation() {
        return DomainException.unauthorized("invalid_invitation", "this invitation link is not valid");
    }

    @EventSourcingHandler
    void on(UserRegisteredEvent event) {
        this.userId = event.userId();
        this.tenantId = event.tenantId();
        this.email = event.email();
        this.passwordSet = event.passwordHash() != null;
        this.legacyHash = LegacyAwarePasswordEncoder.isBcrypt(event.passwordHash());
    }

    @EventSourcingHandler
    void on(InvitationIssuedEvent event) {
        this.invitationTokenHash = event.tokenHash();
        this.invitationExpiresAt = event.expiresAt();
    }

    @EventSourcingHandler
    void on(InvitationAcceptedEvent event) {
        this.passwordSet = true;
        this.legacyHash = false;
        this.invitationTokenHash = null;
        this.invitationExpiresAt = null;
    }

    @EventSourcingHandler
    void on(PasswordResetRequestedEvent event) {
        this.resetTokenHash = event.tokenHash();
        this.resetExpiresAt = event.expiresAt();
    }

    @EventSourcingHandler
    void on(PasswordResetEvent event) {
        this.passwordSet = true;
        this.legacyHash = false;
        this.resetTokenHash = null;
        this.resetExpiresAt = null;
    }

    @EventSourcingHandler
    void on(PasswordHashUpgradedEvent event) {
        this.legacyHash = false;
    }
}
