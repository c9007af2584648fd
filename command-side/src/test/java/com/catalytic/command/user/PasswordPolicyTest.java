package com.catalytic.command.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.catalytic.api.error.DomainException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordPolicyTest {

    private static final String EMAIL = "maximilian.owner@acme.io";

    @ParameterizedTest
    @ValueSource(strings = {"correct horse battery", "Tr0ub4dor&3x", "exactly10!"})
    void acceptsAGoodPassword(String password) {
        assertThatCode(() -> PasswordPolicy.requireAcceptable(password, EMAIL)).doesNotThrowAnyException();
    }

    @Test
    void acceptsTheLengthBounds() {
        String longest = "xyz".repeat(43).substring(0, PasswordPolicy.MAX_LENGTH);

        assertThatCode(() -> PasswordPolicy.requireAcceptable("kq7vm2xw9p", EMAIL)).doesNotThrowAnyException();
        assertThatCode(() -> PasswordPolicy.requireAcceptable(longest, EMAIL)).doesNotThrowAnyException();
    }

    @Test
    void rejectsNineCharacters() {
        assertThat(rejection("kq7vm2xw9", EMAIL).code()).isEqualTo("password_too_short");
    }

    @Test
    void rejectsAMissingPassword() {
        assertThat(rejection(null, EMAIL).code()).isEqualTo("password_too_short");
    }

    @Test
    void rejectsMoreThan128Characters() {
        assertThat(rejection("xyz".repeat(43), EMAIL).code()).isEqualTo("password_too_long");
    }

    @ParameterizedTest
    @ValueSource(strings = {EMAIL, "Maximilian.Owner@ACME.io", "maximilian.owner", "MAXIMILIAN.OWNER"})
    void rejectsTheEmailOrItsLocalPart(String password) {
        assertThat(rejection(password, EMAIL).code()).isEqualTo("password_matches_email");
    }

    @Test
    void withoutAnEmailOnlyTheOtherRulesApply() {
        assertThatCode(() -> PasswordPolicy.requireAcceptable("maximilian.owner", null)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"password123", "PASSWORD123", "qwertyuiop", "aaaaaaaaaaaa", "abababababab"})
    void rejectsCommonAndRepetitivePasswords(String password) {
        assertThat(rejection(password, EMAIL).code()).isEqualTo("password_too_common");
    }

    @ParameterizedTest
    @MethodSource("listedCommonPasswords")
    void rejectsEveryListedCommonPassword(String password) {
        // "1234qwer" in the list is shorter than 10 characters, so the length rule answers for it first.
        assertThat(rejection(password, EMAIL).code()).isIn("password_too_common", "password_too_short");
    }

    @Test
    void rejectionsNameThePasswordField() {
        DomainException e = rejection("password123", EMAIL);

        assertThat(e.kind()).isEqualTo(DomainException.Kind.VALIDATION);
        assertThat(e.field()).isEqualTo("password");
    }

    private static DomainException rejection(String password, String email) {
        DomainException e = catchThrowableOfType(DomainException.class,
                () -> PasswordPolicy.requireAcceptable(password, email));
        assertThat(e).as("rejection of %s", password).isNotNull();
        return e;
    }

    static Stream<String> listedCommonPasswords() throws IOException {
        try (InputStream in = PasswordPolicyTest.class.getResourceAsStream("/common-passwords.txt")) {
            assertThat(in).as("common-passwords.txt on the classpath").isNotNull();
            List<String> lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
            assertThat(lines).hasSizeGreaterThan(100);
            // Upper-cased too, since the list is matched case-insensitively.
            return lines.stream().flatMap(p -> Stream.of(p, p.toUpperCase(Locale.ROOT)).distinct());
        }
    }
}
