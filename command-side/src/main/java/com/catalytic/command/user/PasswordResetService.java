package com.catalytic.command.user;

import com.catalytic.api.account.AccountQueries.ListOpenSessionsQuery;
import com.catalytic.api.account.AccountQueries.OpenSessions;
import com.catalytic.api.account.Credentials;
import com.catalytic.api.account.FindCredentialsByEmailQuery;
import com.catalytic.api.auth.RevokeSessionCommand;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.user.UserMessages.RequestPasswordResetCommand;
import com.catalytic.api.user.UserMessages.ResetPasswordCommand;
import com.catalytic.infrastructure.credentials.LoginThrottle;
import com.catalytic.infrastructure.secrets.Hashing;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.queryhandling.QueryGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * Password reset by e-mail. A request always gets the same answer, whether or not the address belongs to an active
 * user (no account enumeration); when it does, a one-time link valid for {@code ttl} is e-mailed by the
 * notifications handler once the request is stored (only the hash of its secret is stored, in
 * {@code PasswordResetRequestedEvent}; the secret is derived, see {@link LinkSecrets}). Confirming sets the new password and ends every
 * session of the user: whoever held the old password is logged out.
 */
@Service
class PasswordResetService {

    private static final Logger log = LoggerFactory.getLogger(PasswordResetService.class);

    private final CommandGateway commands;
    private final QueryGateway queries;
    private final LinkSecrets links;
    private final LoginThrottle throttle;
    private final Clock clock;
    private final Duration ttl;

    public PasswordResetService(CommandGateway commands, QueryGateway queries, LinkSecrets links,
                                LoginThrottle throttle, Clock clock,
                                @Value("${catalytic.auth.password-reset-ttl:1h}") Duration ttl) {
        this.commands = commands;
        this.queries = queries;
        this.links = links;
        this.throttle = throttle;
        this.clock = clock;
        this.ttl = ttl;
    }

    public void request(String email, String ip) {
        String normalized = Emails.normalize(email);
        Emails.requireValid(normalized, "email");
        throttle.countPasswordReset(normalized, ip);
        // the account that signs in with this address (another tenant may have a member of that address)
        Credentials account = queries.query(new FindCredentialsByEmailQuery(normalized),
                ResponseTypes.instanceOf(Credentials.class)).join();
        if (account == null || !account.active()) {
            return; // same answer: nothing tells the caller whether the address has an account
        }
        String userId = account.userId();
        Instant expires = clock.instant().plus(ttl).truncatedTo(ChronoUnit.MILLIS);
        // derived, so that the e-mail is written by the event handler once the request is stored
        String secret = links.secret(LinkSecrets.PASSWORD_RESET, userId, expires);
        try {
            commands.sendAndWait(new RequestPasswordResetCommand(userId, Hashing.sha256Hex(secret), expires));
        } catch (DomainException pendingInvitation) {
            log.info("Password reset for user {} not sent: {}", userId, pendingInvitation.getMessage());
        }
    }

    /** Sets the new password from the link's token ({@code userId.secret}). */
    public void confirm(String token, String password) {
        OneTimeLink link = OneTimeLink.parse(token, UserAggregate::invalidReset);
        String userId = link.userId();
        try {
            commands.sendAndWait(new ResetPasswordCommand(userId, link.secretHash(), password, clock.instant()));
        } catch (AggregateNotFoundException e) {
            throw UserAggregate.invalidReset();
        }
        for (String session : queries.query(new ListOpenSessionsQuery(userId),
                ResponseTypes.instanceOf(OpenSessions.class)).join().sessionIds()) {
            try {
                commands.sendAndWait(new RevokeSessionCommand(session, "password_reset"));
            } catch (RuntimeException e) {
                log.warn("Session {} of user {} not revoked after the password reset: {}", session, userId,
                        e.toString());
            }
        }
    }
}
