package com.catalytic.command.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class SlugsTest {

    @ParameterizedTest
    @CsvSource({
            "'Ácme  Corp!!', acme-corp",
            "'  --Acme--  ', acme",
            "Crème Brûlée GmbH, creme-brulee-gmbh",
            "ACME 2024 Ltd., acme-2024-ltd",
            "Straße & Söhne, stra-e-sohne"})
    void turnsANameIntoASlug(String name, String slug) {
        assertThat(Slugs.fromName(name)).isEqualTo(slug);
        assertThat(Slugs.isValid(slug)).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "!!!", "---", "日本語", "ÆØ"})
    void fallsBackToTenantWhenNothingUsableIsLeft(String name) {
        assertThat(Slugs.fromName(name)).isEqualTo("tenant");
    }

    @Test
    void cutsLongNamesTo48Characters() {
        assertThat(Slugs.fromName("a".repeat(60))).isEqualTo("a".repeat(Slugs.MAX_LENGTH));
    }

    @Test
    void aCutDoesNotLeaveATrailingDash() {
        // The 48th character is the separator, so a plain cut would end in "-".
        String name = "a".repeat(47) + " " + "b".repeat(20);

        String slug = Slugs.fromName(name);

        assertThat(slug).isEqualTo("a".repeat(47));
        assertThat(Slugs.isValid(slug)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"acme", "acme-corp", "a1-b2-c3", "x"})
    void acceptsWellFormedSlugs(String slug) {
        assertThat(Slugs.isValid(slug)).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"Acme", "acme corp", "-acme", "acme-", "acme--corp", "acmé", "acme_corp"})
    void rejectsMalformedSlugs(String slug) {
        assertThat(Slugs.isValid(slug)).isFalse();
    }

    @Test
    void leavesRoomForADisambiguatingSuffix() {
        String base = "a".repeat(Slugs.MAX_LENGTH);

        assertThat(Slugs.isValid(base + "-x7k2")).isTrue();
        assertThat(Slugs.isValid(base + "-x7k2q")).isFalse();
    }
}
