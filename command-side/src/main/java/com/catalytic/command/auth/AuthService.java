package com.catalytic.command.auth;

import com.catalytic.api.account.Credentials;
import com.catalytic.api.account.FindCredentialsByEmailQuery;
import com.catalytic.api.account.FindCredentialsByUserQuery;
import com.catalytic.api.auth.RefreshOutcome;
import com.catalytic.api.auth.RevokeSessionCommand;
import com.catalytic.api.auth.RotateRefreshTokenCommand;
import com.catalytic.api.auth.StartSessionCommand;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.tenant.RegisterTenantCommand;
import com.catalytic.api.user.UserMessages.UpgradePasswordHashCommand;
import com.catalytic.command.tenant.Slugs;
import com.catalytic.command.tenant.SuspensionPolicy;
import com.catalytic.command.uniqueness.JdbcUniqueKeyRegistry.ClaimRaceException;
import com.catalytic.command.uniqueness.UniqueKeyRegistry.Scope;
import com.catalytic.command.uniqueness.UniqueKeyRegistry;
import com.catalytic.command.user.Emails;
import com.catalytic.infrastructure.credentials.AuthProperties;
import com.catalytic.infrastructure.credentials.LegacyAwarePasswordEncoder;
import com.catalytic.infrastructure.credentials.LoginThrottle;
import com.catalytic.infrastructure.credentials.RefreshTokens;
import com.catalytic.infrastructure.credentials.RevocationRegistry;
import com.catalytic.infrastructure.credentials.TokenService;
import com.catalytic.infrastructure.secrets.Ids;
import java.time.Clock;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.queryhandling.QueryGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.crypto.password.PasswordEncoder;

/** Sign-up, login, token refresh and logout: the write side of authentication. */
class AuthService {

    private static final Logger log = LoggerFactory.getLogger(AuthService.class);

    public record Registration(String tenantId, String tenantSlug, String userId, String email, String role) {
    }

    public record TokenPair(String accessToken, String refreshToken, String tokenType, long expiresIn) {
    }

    private final CommandGateway commands;
    private final QueryGateway queries;
    private final UniqueKeyRegistry registry;
    private final PasswordEncoder passwordEncoder;
    private final TokenService tokens;
    private final RefreshTokens refreshTokens;
    private final RevocationRegistry revocations;
    private final LoginThrottle throttle;
    private final AuthProperties props;
    private final Clock clock;
    private final String dummyHash;

    public AuthService(CommandGateway commands, QueryGateway queries, UniqueKeyRegistry registry,
                       PasswordEncoder passwordEncoder, TokenService tokens, RefreshTokens refreshTokens,
                       RevocationRegistry revocations, LoginThrottle throttle, AuthProperties props, Clock clock) {
        this.commands = commands;
        this.queries = queries;
        this.registry = registry;
        this.passwordEncoder = passwordEncoder;
        this.tokens = tokens;
        this.refreshTokens = refreshTokens;
        this.revocations = revocations;
        this.throttle = throttle;
        this.props = props;
        this.clock = clock;
        // Unknown e-mails are checked against this hash so that both failures cost the same time.
        this.dummyHash = passwordEncoder.encode(Ids.secret(24));
    }

    public Registration register(String email, String password, String companyName, String ip) {
        throttle.countRegistration(ip);
        String normalized = Emails.normalize(email);
        Emails.requireValid(normalized, "email");
        String slug = Slugs.fromName(companyName);
        if (registry.isClaimed(Scope.TENANT_SLUG, slug)) {
            slug = slug + "-" + Ids.shortSuffix(4);
        }
        String tenantId = Ids.newId();
        String userId = Ids.newId();
        try {
            commands.sendAndWait(new RegisterTenantCommand(tenantId, companyName, slug, userId, normalized, password));
        } catch (ClaimRaceException race) {
            throw race.scope() == Scope.EMAIL
                    ? DomainException.conflict("email_taken", "this e-mail address is already registered", "email")
                    : DomainException.conflict("slug_taken", "a tenant with this slug already exists", "company_name");
        }
        return new Registration(tenantId, slug, userId, normalized, "owner");
    }

    public TokenPair login(String email, String password, String ip) {
        String normalized = Emails.normalize(email);
        // counted before the hash, so that concurrent guesses cannot all pass the limits
        LoginThrottle.Attempt attempt = throttle.admitLogin(normalized, ip);
        Credentials creds;
        boolean matches;
        try {
            creds = queries.query(new FindCredentialsByEmailQuery(normalized),
                    ResponseTypes.instanceOf(Credentials.class)).join();
            // unknown addresses and invited users without a password cost the same hash as everyone else
            String hash = creds == null || creds.passwordHash() == null ? dummyHash : creds.passwordHash();
            matches = passwordEncoder.matches(password, hash) && creds != null && creds.passwordHash() != null;
        } catch (RuntimeException busyOrUnavailable) {
            attempt.notChecked();
            throw busyOrUnavailable;
        }
        if (!matches) {
            throw DomainException.unauthorized("invalid_credentials", "e-mail or password is incorrect");
        }
        attempt.succeeded();
        if (!creds.active()) {
            throw DomainException.forbidden("account_disabled", "this account is deactivated");
        }
        SuspensionPolicy.requireMaySignIn(creds);
        upgradeLegacyHash(creds, password);
        String sessionId = Ids.newId();
        RefreshTokens.Issued refresh = refreshTokens.issue(sessionId);
        commands.sendAndWait(new StartSessionCommand(sessionId, creds.tenantId(), creds.userId(),
                refresh.secretHash(), clock.instant().plus(props.refreshTokenTtl()), creds.sessionEpoch()));
        return pair(creds, sessionId, refresh.token(), creds.sessionEpoch());
    }

    /**
     * A bcrypt hash carried over from the original service is replaced by an Argon2id hash of the password just
     * proven. The login does not depend on it: if it fails now, the next login tries again.
     */
    private void upgradeLegacyHash(Credentials creds, String password) {
        if (!LegacyAwarePasswordEncoder.isBcrypt(creds.passwordHash())) {
            return;
        }
        try {
            commands.sendAndWait(new UpgradePasswordHashCommand(creds.userId(), passwordEncoder.encode(password)));
        } catch (RuntimeException e) {
            log.warn("the legacy password hash of user {} was not upgraded now (the next login tries again): {}",
                    creds.userId(), e.getClass().getSimpleName());
        }
    }

    public TokenPair refresh(String refreshToken, String ip) {
        RefreshTokens.Presented presented = refreshTokens.parse(refreshToken);
        if (presented == null) {
            throw invalidRefresh();
        }
        String sessionId = presented.sessionId();
        // only a token the session issued counts against it: knowing its id does not let anyone use up its refreshes
        throttle.countRefresh(ip, presented.issuedForSession() ? sessionId : null);
        RefreshTokens.Issued next = refreshTokens.issue(sessionId);
        RefreshOutcome outcome;
        try {
            outcome = commands.sendAndWait(new RotateRefreshTokenCommand(sessionId, presented.secretHash(),
                    presented.issuedForSession(), next.secretHash(), clock.instant().plus(props.refreshTokenTtl()),
                    clock.instant(), props.refreshTokenMaxLifetime()));
        } catch (AggregateNotFoundException e) {
            throw invalidRefresh();
        }
        switch (outcome.result()) {
            case ROTATED -> {
                Credentials creds = queries.query(new FindCredentialsByUserQuery(outcome.userId()),
                        ResponseTypes.instanceOf(Credentials.class)).join();
                if (creds == null || !creds.active()) {
                    commands.sendAndWait(new RevokeSessionCommand(sessionId, RevokeSessionCommand.ACCOUNT_DISABLED));
                    throw DomainException.unauthorized("account_disabled", "this account is deactivated");
                }
                if (outcome.sessionEpoch() < creds.sessionEpoch()) {
                    // deactivated after this session began: reactivation does not bring the session back
                    commands.sendAndWait(new RevokeSessionCommand(sessionId, RevokeSessionCommand.ACCOUNT_DEACTIVATED));
                    revocations.markRevoked(sessionId);
                    throw sessionRevoked();
                }
                return pair(creds, sessionId, next.token(), outcome.sessionEpoch());
            }
            case REUSE_DETECTED -> {
                revocations.markRevoked(sessionId);
                throw DomainException.unauthorized("refresh_token_reused",
                        "refresh token was already used; the session has been revoked");
            }
            case REVOKED -> throw sessionRevoked();
            case EXPIRED -> throw DomainException.unauthorized("refresh_token_expired", "refresh token has expired");
            default -> throw invalidRefresh();
        }
    }

    public void logout(Caller caller) {
        if (caller.sessionId() == null) {
            throw DomainException.forbidden("not_a_session", "logout needs a user session token, not an API key");
        }
        commands.sendAndWait(new RevokeSessionCommand(caller.sessionId(), RevokeSessionCommand.LOGOUT));
        revocations.markRevoked(caller.sessionId());
    }

    private TokenPair pair(Credentials creds, String sessionId, String refreshToken, int sessionEpoch) {
        String access = tokens.issueAccessToken(creds.userId(), creds.tenantId(), creds.role(), sessionId,
                sessionEpoch);
        return new TokenPair(access, refreshToken, "Bearer", tokens.accessTokenTtlSeconds());
    }

    private static DomainException sessionRevoked() {
        return DomainException.unauthorized("session_revoked", "the session has been revoked");
    }

    private static DomainException invalidRefresh() {
        return DomainException.unauthorized("invalid_refresh_token", "refresh token is not valid");
    }
}
