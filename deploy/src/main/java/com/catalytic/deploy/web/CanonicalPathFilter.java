package com.catalytic.deploy.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/** 400 {@code invalid_path} for a path that is not canonical, before anything decides by path (auth, metering, routing). */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 3)
class CanonicalPathFilter extends OncePerRequestFilter {

    private final Problems problems;

    CanonicalPathFilter(Problems problems) {
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws ServletException, IOException {
        if (!CanonicalPath.isCanonical(req.getRequestURI())) {
            problems.write(res, req, HttpStatus.BAD_REQUEST, "invalid_path", "the path must be written plainly: "
                    + "no ';' parameters, empty or dot segments, or escaped characters that need no escaping", null);
            return;
        }
        chain.doFilter(req, res);
    }
}
