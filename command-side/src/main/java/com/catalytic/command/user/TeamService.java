package com.catalytic.command.user;

import com.catalytic.api.account.AccountQueries;
import com.catalytic.api.account.FindUserQuery;
import com.catalytic.api.account.UserView;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Role;
import com.catalytic.api.identity.Scopes;
import com.catalytic.api.personal.PersonalDataMessages.ErasePersonalDataCommand;
import com.catalytic.api.tenant.TenantCommands.AddUserCommand;
import com.catalytic.api.tenant.TenantCommands.ChangeMemberCommand;
import com.catalytic.api.tenant.TenantCommands.RemoveUserCommand;
import com.catalytic.api.user.UserMessages.AcceptInvitationCommand;
import com.catalytic.command.uniqueness.JdbcUniqueKeyRegistry.ClaimRaceException;
import com.catalytic.infrastructure.secrets.Hashing;
import com.catalytic.infrastructure.secrets.Ids;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.stereotype.Service;

/** Team management: adding, changing and removing a tenant's users, and invitations. */
@Service
class TeamService {

    static final Duration INVITATION_TTL = Duration.ofDays(7);

    private final CommandGateway commands;
    private final QueryGateway queries;
    private final LinkSecrets links;
    private final Clock clock;

    public TeamService(CommandGateway commands, QueryGateway queries, LinkSecrets links, Clock clock) {
        this.commands = commands;
        this.queries = queries;
        this.links = links;
        this.clock = clock;
    }

    public record Added(UserView user, boolean invitationSent) {
    }

    public Added add(Caller caller, String email, Role role, String password) {
        caller.require(Scopes.USERS_MANAGE);
        String userId = Ids.newId();
        Instant expires = clock.instant().plus(INVITATION_TTL).truncatedTo(ChronoUnit.MILLIS);
        // the link's secret is derived, so that the e-mail is written by the event handler once the user exists
        String secret = password == null ? links.secret(LinkSecrets.INVITATION, userId, expires) : null;
        AddUserCommand add = new AddUserCommand(caller.tenantId(), userId, Emails.normalize(email), role, password,
                secret == null ? null : Hashing.sha256Hex(secret), secret == null ? null : expires, Actor.of(caller));
        try {
            commands.sendAndWait(add);
        } catch (ClaimRaceException race) {
            // another tenant claimed the address meanwhile: once more, now answered as any address held elsewhere
            try {
                commands.sendAndWait(add);
            } catch (ClaimRaceException again) {
                throw DomainException.conflict("email_taken", "this e-mail address is already registered", "email");
            }
        }
        return new Added(find(caller.tenantId(), userId), secret != null);
    }

    public UserView change(Caller caller, String userId, Role role, Boolean active) {
        caller.require(Scopes.USERS_MANAGE);
        // one command: a role and an active flag change together or not at all
        commands.sendAndWait(new ChangeMemberCommand(caller.tenantId(), userId, role, active, Actor.of(caller)));
        return find(caller.tenantId(), userId);
    }

    public void remove(Caller caller, String userId) {
        caller.require(Scopes.USERS_MANAGE);
        commands.sendAndWait(new RemoveUserCommand(caller.tenantId(), userId, Actor.of(caller)));
    }

    /** Erases a member's or former member's personal data (owners); removes them first if still a member. */
    public void erase(Caller caller, String userId) {
        caller.require(Scopes.USERS_MANAGE);
        commands.sendAndWait(new ErasePersonalDataCommand(caller.tenantId(), userId, Actor.of(caller)));
    }

    /** Sets the password of an invited user from the one-time link's token ({@code userId.secret}). */
    public void acceptInvitation(String token, String password) {
        OneTimeLink link = OneTimeLink.parse(token, UserAggregate::invalidInvitation);
        String userId = link.userId();
        if (queries.query(new AccountQueries.FindPrincipalQuery(userId),
                ResponseTypes.instanceOf(AccountQueries.PrincipalState.class)).join() == null) {
            // removed from the team since the invitation was sent
            throw UserAggregate.invalidInvitation();
        }
        try {
            commands.sendAndWait(new AcceptInvitationCommand(userId, link.secretHash(), password, clock.instant()));
        } catch (AggregateNotFoundException e) {
            throw UserAggregate.invalidInvitation();
        }
    }

    private UserView find(String tenantId, String userId) {
        UserView user = queries.query(new FindUserQuery(tenantId, userId), ResponseTypes.instanceOf(UserView.class))
                .join();
        if (user == null) {
            throw DomainException.notFound("user");
        }
        return user;
    }
}
