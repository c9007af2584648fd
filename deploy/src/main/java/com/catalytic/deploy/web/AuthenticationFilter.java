package com.catalytic.deploy.web;

import com.catalytic.api.account.AccountQueries.TenantState;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import com.catalytic.command.tenant.SuspensionPolicy;
import com.catalytic.infrastructure.credentials.AccessTokenAuthenticator;
import com.catalytic.infrastructure.credentials.ApiKeyAuthenticator;
import com.catalytic.infrastructure.credentials.ApiKeys;
import com.catalytic.infrastructure.credentials.CredentialCache;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Resolves the caller of every tenant-scoped request ({@code /api/**} and {@code /auth/logout}) from its credential
 * &mdash; an access token ({@code Authorization: Bearer eyJ…}) or an API key ({@code Authorization: Bearer clc_…} or
 * {@code X-API-Key: clc_…}) &mdash; and answers 401 when there is none or it is not valid, 403
 * {@code tenant_suspended} when the tenant is suspended and {@link SuspensionPolicy} does not allow the call. Public
 * endpoints pass through untouched.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class AuthenticationFilter extends OncePerRequestFilter {

    public static final String CALLER = "catalytic.caller";
    private static final Set<String> PUBLIC_API = Set.of("/api/plans");

    private final AccessTokenAuthenticator tokens;
    private final ApiKeyAuthenticator apiKeys;
    private final CredentialCache cache;
    private final Problems problems;

    public AuthenticationFilter(AccessTokenAuthenticator tokens, ApiKeyAuthenticator apiKeys, CredentialCache cache,
                                Problems problems) {
        this.tokens = tokens;
        this.apiKeys = apiKeys;
        this.cache = cache;
        this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest req) {
        String path = req.getRequestURI();
        if ("OPTIONS".equals(req.getMethod())) {
            return true;
        }
        boolean api = path.startsWith("/api/") && !PUBLIC_API.contains(path);
        return !(api || path.equals("/auth/logout"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws ServletException, IOException {
        Caller caller;
        try {
            caller = authenticate(req);
            if (req.getRequestURI().startsWith("/api/")) {
                TenantState tenant = cache.tenant(caller.tenantId()).orElse(null);
                if (tenant == null) {
                    throw DomainException.unauthorized("invalid_token", "the tenant of this credential does not exist");
                }
                SuspensionPolicy.requireMayCall(tenant, caller, req.getMethod(), req.getRequestURI());
            }
        } catch (DomainException e) {
            problems.write(res, req, e);
            return;
        }
        req.setAttribute(CALLER, caller);
        chain.doFilter(req, res);
    }

    private Caller authenticate(HttpServletRequest req) {
        String apiKey = req.getHeader("X-API-Key");
        String bearer = bearer(req);
        if (apiKey != null && !apiKey.isBlank()) {
            return apiKeys.authenticate(apiKey.trim(), req.getRemoteAddr());
        }
        if (bearer == null) {
            throw DomainException.unauthorized("authentication_required",
                    "send an access token (Authorization: Bearer <token>) or an API key (X-API-Key: clc_...)");
        }
        return bearer.startsWith(ApiKeys.PREFIX.substring(0, 4)) ? apiKeys.authenticate(bearer, req.getRemoteAddr())
                : tokens.authenticate(bearer);
    }

    private static String bearer(HttpServletRequest req) {
        String header = req.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = header.substring(7).trim();
            return token.isEmpty() ? null : token;
        }
        return null;
    }
}
