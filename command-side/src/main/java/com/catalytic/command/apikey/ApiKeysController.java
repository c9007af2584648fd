package com.catalytic.command.apikey;

import com.catalytic.api.identity.Caller;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** API keys (write side). Listing is in the query side. */
@RestController
class ApiKeysController {

    public record IssueRequest(@NotBlank @Size(max = 100) String name, @NotNull @Size(min = 1, max = 20) Set<String> scopes,
                               Integer expiresInDays, Integer rateLimitPerMinute) {
    }

    public record RotateRequest(@NotNull Long graceSeconds) {
    }

    private final ApiKeyService keys;

    public ApiKeysController(ApiKeyService keys) {
        this.keys = keys;
    }

    @PostMapping(path = "/api/api-keys", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    public Map<String, Object> issue(Caller caller, @Valid @RequestBody IssueRequest body) {
        return keys.issue(caller, body.name(), body.scopes(), body.expiresInDays(), body.rateLimitPerMinute());
    }

    @DeleteMapping("/api/api-keys/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void revoke(Caller caller, @PathVariable("id") String id) {
        keys.revoke(caller, id);
    }

    @PostMapping(path = "/api/api-keys/{id}/rotate", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    public Map<String, Object> rotate(Caller caller, @PathVariable("id") String id, @Valid @RequestBody RotateRequest body) {
        return keys.rotate(caller, id, body.graceSeconds());
    }
}
