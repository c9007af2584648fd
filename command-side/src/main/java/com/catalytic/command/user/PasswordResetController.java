package com.catalytic.command.user;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /auth/password-reset} (always 202) and {@code POST /auth/password-reset/confirm}. */
@RestController
class PasswordResetController {

    public record ResetRequest(@NotBlank @Size(max = 254) String email) {
        @Override
        public String toString() {
            return "ResetRequest[]";
        }
    }

    public record ConfirmRequest(@NotBlank @Size(max = 200) String token,
                                 @NotBlank @Size(max = 1024) String password) {
        @Override
        public String toString() {
            return "ConfirmRequest[]";
        }
    }

    private final PasswordResetService resets;

    public PasswordResetController(PasswordResetService resets) {
        this.resets = resets;
    }

    @PostMapping(path = "/auth/password-reset", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    public Map<String, String> request(@Valid @RequestBody ResetRequest body, HttpServletRequest request) {
        resets.request(body.email(), request.getRemoteAddr());
        return Map.of("status", "accepted",
                "detail", "if the address belongs to an active account, a password-reset link is on its way");
    }

    @PostMapping(path = "/auth/password-reset/confirm", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void confirm(@Valid @RequestBody ConfirmRequest body) {
        resets.confirm(body.token(), body.password());
    }
}
