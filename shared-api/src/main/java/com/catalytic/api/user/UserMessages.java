package com.catalytic.api.user;

import com.catalytic.api.identity.TenantScoped;
import com.catalytic.api.personal.DataSubject;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;
import org.axonframework.serialization.Revision;

/** Messages of the user aggregate beyond registration: invitations and password resets. */
public final class UserMessages {

    private UserMessages() {
    }

    /** An invited user has no password yet; the one-time link carries a token known here only by its hash. */
    @Revision("1")
    public record InvitationIssuedEvent(String userId, String tenantId, String tokenHash, Instant expiresAt)
            implements TenantScoped {
    }

    public record AcceptInvitationCommand(@TargetAggregateIdentifier String userId, String tokenHash, String password,
                                          Instant requestedAt) implements DataSubject {
        @Override
        public String dataSubjectId() {
            return userId;
        }

        @Override
        public String toString() {
            return "AcceptInvitationCommand[userId=" + userId + "]";
        }
    }

    @Revision("1")
    public record InvitationAcceptedEvent(String userId, String tenantId, String passwordHash) implements TenantScoped {
        @Override
        public String toString() {
            return "InvitationAcceptedEvent[userId=" + userId + "]";
        }
    }

    /** A one-time password-reset link was sent to the user; known here only by its token's hash. */
    public record RequestPasswordResetCommand(@TargetAggregateIdentifier String userId, String tokenHash,
                                              Instant expiresAt) implements DataSubject {
        @Override
        public String dataSubjectId() {
            return userId;
        }

        @Override
        public String toString() {
            return "RequestPasswordResetCommand[userId=" + userId + "]";
        }
    }

    @Revision("1")
    public record PasswordResetRequestedEvent(String userId, String tenantId, String tokenHash, Instant expiresAt)
            implements TenantScoped {
        @Override
        public String toString() {
            return "PasswordResetRequestedEvent[userId=" + userId + "]";
        }
    }

    public record ResetPasswordCommand(@TargetAggregateIdentifier String userId, String tokenHash, String password,
                                       Instant requestedAt) implements DataSubject {
        @Override
        public String dataSubjectId() {
            return userId;
        }

        @Override
        public String toString() {
            return "ResetPasswordCommand[userId=" + userId + "]";
        }
    }

    @Revision("1")
    public record PasswordResetEvent(String userId, String tenantId, String passwordHash) implements TenantScoped {
        @Override
        public String toString() {
            return "PasswordResetEvent[userId=" + userId + "]";
        }
    }

    /**
     * Sent after a login proved the password against a hash of the original service's scheme (bcrypt): stores the
     * same password's current hash. Ignored when the account no longer holds such a hash (e.g. reset meanwhile).
     */
    public record UpgradePasswordHashCommand(@TargetAggregateIdentifier String userId, String passwordHash) {
        @Override
        public String toString() {
            return "UpgradePasswordHashCommand[userId=" + userId + "]";
        }
    }

    /** The same password, now stored under the current scheme; sessions are unaffected. */
    @Revision("1")
    public record PasswordHashUpgradedEvent(String userId, String tenantId, String passwordHash) implements TenantScoped {
        @Override
        public String toString() {
            return "PasswordHashUpgradedEvent[userId=" + userId + "]";
        }
    }
}
