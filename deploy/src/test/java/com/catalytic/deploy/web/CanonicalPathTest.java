package com.catalytic.deploy.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CanonicalPathTest {

    @Test
    void plainPathsAreCanonical() {
        for (String path : List.of("/", "/health", "/auth/login", "/api/users/0b8f2c1e-7f3a-4e43-9d7a-2f1c5e9a0b11",
                "/api/history/api_key/x.y~z-1", "/docs/", "/.well-known/jwks.json", "/api/users/a..b")) {
            assertThat(CanonicalPath.isCanonical(path)).as(path).isTrue();
        }
    }

    @Test
    void escapesOfCharactersThatNeedThemAreCanonical() {
        for (String path : List.of("/api/users/caf%C3%A9", "/api/users/a%20b", "/api/users/%40", "/api/users/%3A%3F%23",
                "/api/users/%22%3C%3E")) {
            assertThat(CanonicalPath.isCanonical(path)).as(path).isTrue();
        }
    }

    @Test
    void pathParametersAreNot() {
        for (String path : List.of("/auth;x/login", "/auth/login;x", "/auth;/login", "/;", "/api/me;jsessionid=1",
                "/auth%3Bx/login", "/auth%3bx/login")) {
            assertThat(CanonicalPath.isCanonical(path)).as(path).isFalse();
        }
    }

    @Test
    void emptyAndDotSegmentsAreNot() {
        for (String path : List.of("//auth/login", "/auth//login", "/auth/login//", "/./auth/login", "/auth/.",
                "/auth/..", "/api/../auth/login", "/..", "/auth/%2e%2e/x", "/auth/%2E/x", "/auth/.%2e/x")) {
            assertThat(CanonicalPath.isCanonical(path)).as(path).isFalse();
        }
    }

    @Test
    void disguisedCharactersAndSeparatorsAreNot() {
        for (String path : List.of("/%61uth/login", "/auth/logi%6E", "/auth/login%7E", "/auth/%30", "/auth/%2D",
                "/auth/%5F", "/auth%2Flogin", "/auth%2flogin", "/auth%5Clogin", "/auth/login%25",
                "/auth/login%2541")) {
            assertThat(CanonicalPath.isCanonical(path)).as(path).isFalse();
        }
    }

    @Test
    void brokenEscapesControlCharactersAndBackslashesAreNot() {
        for (String path : List.of("/auth/login%", "/auth/login%4", "/auth/login%zz", "/auth/login%\uff10\uff10",
                "/auth/login%00", "/auth/login%0A", "/auth/login%7f", "/auth/login\u0000", "/auth\\login",
                "/auth/login\u007f")) {
            assertThat(CanonicalPath.isCanonical(path)).as(path).isFalse();
        }
    }

    @Test
    void onlyAbsolutePathsAre() {
        for (String path : new String[] {null, "", "*", "auth/login", "http://host/auth/login"}) {
            assertThat(CanonicalPath.isCanonical(path)).as(String.valueOf(path)).isFalse();
        }
    }
}
