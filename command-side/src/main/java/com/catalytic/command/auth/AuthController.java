package com.catalytic.command.auth;

import com.catalytic.api.identity.Caller;
import com.catalytic.command.auth.AuthService.Registration;
import com.catalytic.command.auth.AuthService.TokenPair;
import com.catalytic.infrastructure.credentials.JwtKeys;
import com.nimbusds.jose.jwk.RSAKey;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Public authentication endpoints. */
@RestController
class AuthController {

    public record RegisterRequest(@NotBlank @Size(max = 254) String email,
                                  @NotNull @Size(max = 1024) String password,
                                  @NotBlank @Size(max = 200) String companyName) {
        @Override
        public String toString() {
            return "RegisterRequest[email=" + email + "]";
        }
    }

    public record LoginRequest(@NotBlank @Size(max = 254) String email,
                               @NotNull @Size(max = 1024) String password) {
        @Override
        public String toString() {
            return "LoginRequest[email=" + email + "]";
        }
    }

    public record RefreshRequest(@NotBlank @Size(max = 200) String refreshToken) {
        @Override
        public String toString() {
            return "RefreshRequest[]";
        }
    }

    private final AuthService auth;
    private final JwtKeys keys;

    public AuthController(AuthService auth, JwtKeys keys) {
        this.auth = auth;
        this.keys = keys;
    }

    @PostMapping(path = "/auth/register", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    public Registration register(@Valid @RequestBody RegisterRequest body, HttpServletRequest request) {
        return auth.register(body.email(), body.password(), body.companyName(), request.getRemoteAddr());
    }

    @PostMapping(path = "/auth/login", consumes = MediaType.APPLICATION_JSON_VALUE)
    public TokenPair login(@Valid @RequestBody LoginRequest body, HttpServletRequest request) {
        return auth.login(body.email(), body.password(), request.getRemoteAddr());
    }

    @PostMapping(path = "/auth/refresh", consumes = MediaType.APPLICATION_JSON_VALUE)
    public TokenPair refresh(@Valid @RequestBody RefreshRequest body, HttpServletRequest request) {
        return auth.refresh(body.refreshToken(), request.getRemoteAddr());
    }

    @PostMapping("/auth/logout")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void logout(Caller caller) {
        auth.logout(caller);
    }

    @GetMapping(path = "/.well-known/jwks.json", produces = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> jwks() {
        return Map.of("keys", keys.publicJwks().stream().map(RSAKey::toJSONObject).toList());
    }
}
