package com.catalytic.deploy.web;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import com.catalytic.infrastructure.secrets.Ids;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * {@code Idempotency-Key} on POST requests to the API, as Stripe has it: the first request with a key runs and its
 * answer (status, content type, body) is kept for 24 hours; a retry with the same key and the same request gets
 * that answer again ({@code Idempotent-Replayed: true}) without running anything; the same key with another
 * request is 422 {@code idempotency_key_reused}; a retry while the first still runs is 409
 * {@code idempotency_key_in_use} (retry after a second). Keys belong to the caller (the user or API key) within
 * its tenant, and are shared by all nodes through the database. An answer no controller gave (a route this
 * node's roles do not serve, a refusal before the controller) is not kept. Nor are answers of 500 and above: a retry
 * runs again, and since the ids it creates are drawn from the key ({@link Ids#seededBy}), a retry of a request whose
 * first attempt did take effect (its answer lost with the database) is 409 {@code already_applied}, not a copy.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 25)
class IdempotencyFilter extends OncePerRequestFilter {

    static final String HEADER = "Idempotency-Key";
    static final String REPLAYED = "Idempotent-Replayed";
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");

    private final IdempotencyKeys keys;
    private final Problems problems;

    IdempotencyFilter(IdempotencyKeys keys, Problems problems) {
        this.keys = keys;
        this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest req) {
        return !"POST".equals(req.getMethod()) || req.getHeader(HEADER) == null
                || !req.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws ServletException, IOException {
        if (!(req.getAttribute(AuthenticationFilter.CALLER) instanceof Caller caller)) {
            chain.doFilter(req, res); // not authenticated: answered as such further on
            return;
        }
        String key = req.getHeader(HEADER);
        if (!KEY.matcher(key).matches()) {
            problems.write(res, req, HttpStatus.BAD_REQUEST, "invalid_idempotency_key",
                    HEADER + " must be 1 to 255 visible ASCII characters", null);
            return;
        }
        byte[] body;
        try {
            body = req.getInputStream().readAllBytes();
        } catch (BodySizeLimitFilter.PayloadTooLargeException e) {
            problems.write(res, req, HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large", e.getMessage(), null);
            return;
        }
        String fingerprint = fingerprint(req, body);
        String tenant = caller.tenantId();
        String principal = caller.isApiKey() ? "key:" + caller.apiKeyId() : "user:" + caller.userId();
        int attempts = 0;
        while (!keys.claim(tenant, principal, key, fingerprint)) {
            IdempotencyKeys.Stored stored = keys.find(tenant, principal, key);
            if (stored == null || keys.lapsed(stored)) {
                if (stored != null) {
                    keys.releaseIfLapsed(tenant, principal, key);
                }
                if (++attempts < 3) {
                    continue; // gone, or lapsed and now released: claim again
                }
                problems.write(res, req, inUse()); // others keep claiming it: the client retries
                return;
            }
            if (!stored.fingerprint().equals(fingerprint)) {
                problems.write(res, req, DomainException.validation("Idempotency-Key", "idempotency_key_reused",
                        "this Idempotency-Key was used with another request in the last 24 hours; use a new key"));
                return;
            }
            if (stored.status() == null) {
                problems.write(res, req, inUse());
                return;
            }
            res.setStatus(stored.status());
            if (stored.contentType() != null) {
                res.setContentType(stored.contentType());
            }
            res.setHeader(REPLAYED, "true");
            byte[] replay = stored.body() == null ? new byte[0] : stored.body();
            res.setContentLength(replay.length);
            res.getOutputStream().write(replay);
            return;
        }
        ContentCachingResponseWrapper answer = new ContentCachingResponseWrapper(res);
        boolean kept = false;
        // the ids the request creates follow from the key: a repeat after an answer lost in an outage names the
        // same resources as the first attempt, which then cannot be created twice (ProblemHandler: already_applied)
        try (Ids.Scope ids = Ids.seededBy(tenant + "|" + principal + "|" + key + "|" + fingerprint)) {
            chain.doFilter(new CachedBodyRequest(req, body), answer);
            // an answer no controller gave (a path this node does not serve, e.g. the other side's route on a node
            // of one role) is not the request's answer: the node that serves it must still run it
            boolean served = req.getAttribute(HandlerMapping.BEST_MATCHING_HANDLER_ATTRIBUTE) instanceof HandlerMethod;
            if (served && answer.getStatus() < 500) {
                keys.answer(tenant, principal, key, answer.getStatus(), answer.getContentType(),
                        answer.getContentAsByteArray());
                kept = true;
            }
        } finally {
            if (!kept) {
                keys.forget(tenant, principal, key);
            }
            answer.copyBodyToResponse();
        }
    }

    private static DomainException inUse() {
        return new DomainException(DomainException.Kind.CONFLICT, "idempotency_key_in_use",
                "a request with this Idempotency-Key is still running; retry shortly", null, 1L);
    }

    /** The request as the key stands for it: method, path, query and body. */
    private static String fingerprint(HttpServletRequest req, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((req.getMethod() + " " + req.getRequestURI() + "?" + (req.getQueryString() == null ? ""
                    : req.getQueryString()) + "\n").getBytes(StandardCharsets.UTF_8));
            sha.update(body);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The body, read once here, handed to the rest of the chain. */
    private static final class CachedBodyRequest extends HttpServletRequestWrapper {
        private final byte[] body;

        CachedBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("synchronous reads only");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
