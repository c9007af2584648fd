package com.catalytic.deploy.web;

import com.catalytic.api.auth.Caller;
import com.catalytic.api.error.DomainException;
import com.catalytic.command.auth.AccessTokenAuthenticator;
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
 * Resolves the caller of every tenant-scoped request ({@code /api/**} and {@code /auth/logout}) from its bearer
 * credential, and answers 401 when there is none or it is not valid. Public endpoints pass through untouched.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class AuthenticationFilter extends OncePerRequestFilter {

    public static final String CALLER = "catalytic.caller";
    private static final Set<String> PUBLIC_API = Set.of("/api/plans");

    private final AccessTokenAuthenticator authenticator;
    private final Problems problems;

    public AuthenticationFilter(AccessTokenAuthenticator authenticator, Problems problems) {
        this.authenticator = authenticator;
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
        String credential = bearer(req);
        if (credential == null) {
            problems.write(res, req, DomainException.unauthorized("authentication_required",
                    "send an access token: Authorization: Bearer <token>"));
            return;
        }
        Caller caller;
        try {
            caller = authenticator.authenticate(credential);
        } catch (DomainException e) {
            problems.write(res, req, e);
            return;
        }
        req.setAttribute(CALLER, caller);
        chain.doFilter(req, res);
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
