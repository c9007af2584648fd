package com.catalytic.deploy.web;

import com.catalytic.api.error.DomainException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/** The one place that shapes RFC 9457 problem responses: {@code type, title, status, detail, code, field, request_id}. */
@Component
class Problems {

    public static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;

    private final ObjectMapper mapper;

    public Problems(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public static HttpStatus statusOf(DomainException.Kind kind) {
        return switch (kind) {
            case BAD_REQUEST -> HttpStatus.BAD_REQUEST;
            case VALIDATION -> HttpStatus.UNPROCESSABLE_ENTITY;
            case UNAUTHORIZED -> HttpStatus.UNAUTHORIZED;
            case FORBIDDEN -> HttpStatus.FORBIDDEN;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
            case PAYMENT_REQUIRED -> HttpStatus.PAYMENT_REQUIRED;
            case TOO_MANY_REQUESTS -> HttpStatus.TOO_MANY_REQUESTS;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
        };
    }

    public Map<String, Object> body(HttpStatus status, String code, String detail, String field, HttpServletRequest req) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "urn:catalytic:problem:" + code);
        body.put("title", status.getReasonPhrase());
        body.put("status", status.value());
        body.put("detail", detail);
        body.put("code", code);
        if (field != null) {
            body.put("field", field);
        }
        if (req != null) {
            body.put("instance", req.getRequestURI());
            Object rid = req.getAttribute(RequestIdFilter.ATTRIBUTE);
            if (rid != null) {
                body.put("request_id", rid);
            }
        }
        return body;
    }

    public ResponseEntity<Object> entity(HttpStatus status, String code, String detail, String field,
                                         HttpServletRequest req) {
        return ResponseEntity.status(status).contentType(PROBLEM_JSON).body(body(status, code, detail, field, req));
    }

    public ResponseEntity<Object> entity(DomainException e, HttpServletRequest req) {
        HttpStatus status = statusOf(e.kind());
        ResponseEntity.BodyBuilder b = ResponseEntity.status(status).contentType(PROBLEM_JSON);
        if (e.retryAfterSeconds() != null) {
            b.header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        }
        if (status == HttpStatus.UNAUTHORIZED) {
            b.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
        }
        Map<String, Object> body = body(status, e.code(), e.getMessage(), e.field(), req);
        e.details().forEach(body::putIfAbsent);
        return b.body(body);
    }

    /** For filters, which answer before Spring MVC. */
    public void write(HttpServletResponse res, HttpServletRequest req, DomainException e) throws IOException {
        HttpStatus status = statusOf(e.kind());
        if (e.retryAfterSeconds() != null) {
            res.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        }
        if (status == HttpStatus.UNAUTHORIZED) {
            res.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        res.setStatus(status.value());
        res.setContentType(PROBLEM_JSON.toString());
        Map<String, Object> body = body(status, e.code(), e.getMessage(), e.field(), req);
        e.details().forEach(body::putIfAbsent);
        mapper.writeValue(res.getOutputStream(), body);
    }

    public void write(HttpServletResponse res, HttpServletRequest req, HttpStatus status, String code, String detail,
                      String field) throws IOException {
        res.setStatus(status.value());
        res.setContentType(PROBLEM_JSON.toString());
        mapper.writeValue(res.getOutputStream(), body(status, code, detail, field, req));
    }
}
