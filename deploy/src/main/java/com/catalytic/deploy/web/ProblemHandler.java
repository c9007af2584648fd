package com.catalytic.deploy.web;

import com.catalytic.api.error.DomainException;
import com.catalytic.deploy.web.BodySizeLimitFilter.PayloadTooLargeException;
import com.catalytic.infrastructure.metering.UsageShipper.UsageNotRecorded;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.eventsourcing.IncompatibleAggregateException;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.validation.FieldError;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** The one place that maps exceptions to problem responses. Only a real server fault becomes a 500. */
@RestControllerAdvice
class ProblemHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);
    private static final PropertyNamingStrategies.SnakeCaseStrategy SNAKE = new PropertyNamingStrategies.SnakeCaseStrategy();

    private final Problems problems;
    private final DatabaseOutages outages;

    public ProblemHandler(Problems problems, DatabaseOutages outages) {
        this.problems = problems;
        this.outages = outages;
    }

    @ExceptionHandler(DomainException.class)
    ResponseEntity<Object> domain(DomainException e, HttpServletRequest req) {
        return problems.entity(e, req);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Object> unreadable(HttpMessageNotReadableException e, HttpServletRequest req) {
        Throwable cause = e.getCause();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PayloadTooLargeException) {
                return problems.entity(HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large", t.getMessage(), null, req);
            }
        }
        if (cause instanceof UnrecognizedPropertyException u) {
            String field = path(u);
            return problems.entity(HttpStatus.BAD_REQUEST, "unknown_field", "unknown field '" + field + "'", field, req);
        }
        if (cause instanceof JsonParseException || cause instanceof JsonEOFException) {
            return problems.entity(HttpStatus.BAD_REQUEST, "malformed_json", "request body is not valid JSON", null, req);
        }
        if (cause instanceof MismatchedInputException m) {
            String field = path(m);
            if (field.isEmpty()) {
                return problems.entity(HttpStatus.BAD_REQUEST, "invalid_body", "request body must be a JSON object",
                        null, req);
            }
            return problems.entity(HttpStatus.UNPROCESSABLE_ENTITY, "invalid_type",
                    "field '" + field + "' has the wrong type", field, req);
        }
        if (cause instanceof JsonMappingException m) {
            String field = path(m);
            return problems.entity(HttpStatus.BAD_REQUEST, "invalid_body", "request body could not be read",
                    field.isEmpty() ? null : field, req);
        }
        return problems.entity(HttpStatus.BAD_REQUEST, "missing_body", "a JSON request body is required", null, req);
    }

    @ExceptionHandler(MethodArgumentNotValidException.class)
    ResponseEntity<Object> invalid(MethodArgumentNotValidException e, HttpServletRequest req) {
        FieldError first = e.getBindingResult().getFieldErrors().stream().findFirst().orElse(null);
        String field = first == null ? null : SNAKE.translate(first.getField());
        String detail = e.getBindingResult().getFieldErrors().stream()
                .map(f -> SNAKE.translate(f.getField()) + " " + f.getDefaultMessage())
                .collect(Collectors.joining("; "));
        return problems.entity(HttpStatus.UNPROCESSABLE_ENTITY, "validation_failed", detail, field, req);
    }

    @ExceptionHandler(HandlerMethodValidationException.class)
    ResponseEntity<Object> invalidParameters(HandlerMethodValidationException e, HttpServletRequest req) {
        return problems.entity(HttpStatus.UNPROCESSABLE_ENTITY, "validation_failed", "request parameters are not valid",
                null, req);
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<Object> missingParameter(MissingServletRequestParameterException e, HttpServletRequest req) {
        return problems.entity(HttpStatus.BAD_REQUEST, "missing_parameter",
                "query parameter '" + e.getParameterName() + "' is required", e.getParameterName(), req);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> badParameter(MethodArgumentTypeMismatchException e, HttpServletRequest req) {
        return problems.entity(HttpStatus.BAD_REQUEST, "invalid_parameter",
                "parameter '" + e.getName() + "' has an invalid value", e.getName(), req);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Object> mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest req) {
        return problems.entity(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                "send the body as application/json", null, req);
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<Object> notAcceptable(HttpMediaTypeNotAcceptableException e, HttpServletRequest req) {
        return problems.entity(HttpStatus.NOT_ACCEPTABLE, "not_acceptable", "this resource is served as JSON", null, req);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Object> method(HttpRequestMethodNotSupportedException e, HttpServletRequest req) {
        return problems.entity(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                "method " + e.getMethod() + " is not allowed here", null, req);
    }

    /** An id of another kind of aggregate (a user's id where a key's is expected) names no such resource either. */
    @ExceptionHandler({NoResourceFoundException.class, AggregateNotFoundException.class,
            IncompatibleAggregateException.class})
    ResponseEntity<Object> notFound(Exception e, HttpServletRequest req) {
        return problems.entity(HttpStatus.NOT_FOUND, "not_found", "no such resource", null, req);
    }

    @ExceptionHandler({DataAccessResourceFailureException.class, CannotCreateTransactionException.class})
    ResponseEntity<Object> unavailable(Exception e, HttpServletRequest req) {
        if (outages.isOutage(e)) {
            return problems.entity(outages.problem(req, e), req);
        }
        log.error("A resource is unavailable: {}", e.toString());
        return problems.entity(HttpStatus.SERVICE_UNAVAILABLE, "service_unavailable",
                "the service is temporarily unavailable; retry shortly", null, req);
    }

    /** Ids are random except under an Idempotency-Key, where a repeat draws the first attempt's ids. */
    @ExceptionHandler(AggregateStreamCreationException.class)
    ResponseEntity<Object> alreadyApplied(Exception e, HttpServletRequest req) {
        if (outages.isOutage(e)) {
            return problems.entity(outages.problem(req, e), req);
        }
        return problems.entity(DomainException.conflict("already_applied", "this request took effect on an earlier "
                + "attempt with the same Idempotency-Key, whose answer was lost; it was not applied again: look the "
                + "resource up", null), req);
    }

    /** Still losing an append race after the gateway's retries: the change did not happen and may be retried. */
    @ExceptionHandler(ConcurrencyException.class)
    ResponseEntity<Object> concurrentModification(Exception e, HttpServletRequest req) {
        if (outages.isOutage(e)) {
            return problems.entity(outages.problem(req, e), req);
        }
        return problems.entity(DomainException.conflict("concurrent_modification",
                "the resource was changed by another request at the same moment; retry", null), req);
    }

    @ExceptionHandler({CompletionException.class, ExecutionException.class, CommandExecutionException.class})
    ResponseEntity<Object> wrapped(Exception e, HttpServletRequest req) {
        Throwable cause = e.getCause();
        if (cause instanceof AggregateStreamCreationException) {
            return alreadyApplied(e, req);
        }
        if (cause instanceof ConcurrencyException) {
            return concurrentModification(e, req);
        }
        if (cause instanceof AggregateNotFoundException || cause instanceof IncompatibleAggregateException) {
            return notFound((Exception) cause, req);
        }
        if (e instanceof CommandExecutionException cee && cee.getDetails().orElse(null) instanceof DomainException d) {
            return problems.entity(d, req);
        }
        if (cause instanceof DomainException d) {
            return problems.entity(d, req);
        }
        if (cause instanceof DataAccessResourceFailureException || cause instanceof CannotCreateTransactionException) {
            return unavailable((Exception) cause, req);
        }
        return fault(e, req);
    }

    /** A streamed answer whose call could not be recorded: nothing was sent, and {@link MeteringFilter} answers 503. */
    @ExceptionHandler(UsageNotRecorded.class)
    ResponseEntity<Object> notRecorded() {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).build();
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> fault(Exception e, HttpServletRequest req) {
        if (outages.isOutage(e)) {
            // however it was wrapped (the event store's own exceptions, a command's): the database, not a bug
            return problems.entity(outages.problem(req, e), req);
        }
        log.error("Unhandled error on {} {}", req.getMethod(), req.getRequestURI(), e);
        return problems.entity(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error",
                "an unexpected error occurred; quote the request id when reporting it", null, req);
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }
}
