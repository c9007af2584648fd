package com.catalytic.api.auth;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Ends a session: its access and refresh tokens are rejected from then on. Revoking twice is a no-op. */
public record RevokeSessionCommand(@TargetAggregateIdentifier String sessionId, String reason) {
    public static final String LOGOUT = "logout";
    public static final String REFRESH_TOKEN_REUSE = "refresh_token_reuse";
    public static final String ACCOUNT_DISABLED = "account_disabled";
    /** The user was deactivated after the session started (and may since have been reactivated). */
    public static final String ACCOUNT_DEACTIVATED = "account_deactivated";
}
