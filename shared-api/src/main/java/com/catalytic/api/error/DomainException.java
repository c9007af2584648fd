package com.catalytic.api.error;

import java.util.Map;

/**
 * The one error type of the system. It carries a stable machine {@code code}, a {@link Kind}
 * that the HTTP layer maps to a status, and optionally the request field at fault.
 */
public class DomainException extends RuntimeException {

    public enum Kind { BAD_REQUEST, VALIDATION, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, PAYMENT_REQUIRED, TOO_MANY_REQUESTS, UNAVAILABLE }

    private final Kind kind;
    private final String code;
    private final String field;
    private final Long retryAfterSeconds;
    private Map<String, Object> details = Map.of();

    public DomainException(Kind kind, String code, String message) {
        this(kind, code, message, null, null);
    }

    public DomainException(Kind kind, String code, String message, String field) {
        this(kind, code, message, field, null);
    }

    public DomainException(Kind kind, String code, String message, String field, Long retryAfterSeconds) {
        super(message, null, false, false);
        this.kind = kind;
        this.code = code;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static DomainException validation(String field, String code, String message) {
        return new DomainException(Kind.VALIDATION, code, message, field);
    }

    public static DomainException conflict(String code, String message, String field) {
        return new DomainException(Kind.CONFLICT, code, message, field);
    }

    public static DomainException notFound(String what) {
        return new DomainException(Kind.NOT_FOUND, "not_found", what + " not found");
    }

    public static DomainException unauthorized(String code, String message) {
        return new DomainException(Kind.UNAUTHORIZED, code, message);
    }

    public static DomainException forbidden(String code, String message) {
        return new DomainException(Kind.FORBIDDEN, code, message);
    }

    public static DomainException tooManyRequests(String code, String message, long retryAfterSeconds) {
        return new DomainException(Kind.TOO_MANY_REQUESTS, code, message, null, retryAfterSeconds);
    }

    /** Extra members of the problem response (snake_case names), e.g. {@code reset_at}. */
    public DomainException withDetails(Map<String, Object> details) {
        this.details = Map.copyOf(details);
        return this;
    }

    public Map<String, Object> details() { return details; }

    public Kind kind() { return kind; }

    public String code() { return code; }

    public String field() { return field; }

    public Long retryAfterSeconds() { return retryAfterSeconds; }
}
