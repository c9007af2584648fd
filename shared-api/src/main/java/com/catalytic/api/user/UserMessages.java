package com.catalytic.api.user;

import com.catalytic.api.tenant.TenantScoped;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;
import org.axonframework.serialization.Revision;

/** Messages of the user aggregate beyond registration: invitations. */
public final class UserMessages {

    private UserMessages() {
    }

    /** An invited user has no password yet; the one-time link carries a token known here only by its hash. */
    @Revision("1")
    public record InvitationIssuedEvent(String userId, String tenantId, String tokenHash, Instant expiresAt)
            implements TenantScoped {
    }

    public record AcceptInvitationCommand(@TargetAggregateIdentifier String userId, String tokenHash, String password,
                                          Instant requestedAt) {
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
}
