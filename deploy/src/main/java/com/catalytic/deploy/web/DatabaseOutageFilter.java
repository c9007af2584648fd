package com.catalytic.deploy.web;

import com.catalytic.deploy.health.GuardedDataSource;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Outside authentication, metering and idempotency, which read the database before any controller: a request the
 * database fails there is answered as {@link DatabaseOutages} says, not as a server fault.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 4)
class DatabaseOutageFilter extends OncePerRequestFilter {

    private final DatabaseOutages outages;
    private final Problems problems;

    DatabaseOutageFilter(DatabaseOutages outages, Problems problems) {
        this.outages = outages;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws ServletException, IOException {
        GuardedDataSource.beginWork();
        try {
            chain.doFilter(req, res);
        } catch (IOException | ServletException | RuntimeException e) {
            if (!outages.isOutage(e) || res.isCommitted()) {
                throw e;
            }
            res.resetBuffer();
            problems.write(res, req, outages.problem(req, e));
        }
    }
}
