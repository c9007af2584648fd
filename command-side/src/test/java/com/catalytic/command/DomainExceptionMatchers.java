package com.catalytic.command;

import com.catalytic.api.error.DomainException;
import java.util.Objects;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeDiagnosingMatcher;

/** Hamcrest matchers for {@link DomainException}, whose stable {@code code} is what clients rely on. */
public final class DomainExceptionMatchers {

    private DomainExceptionMatchers() {
    }

    public static Matcher<DomainException> hasCode(DomainException.Kind kind, String code, String field) {
        return new TypeSafeDiagnosingMatcher<>() {
            @Override
            protected boolean matchesSafely(DomainException e, Description mismatch) {
                mismatch.appendText("was " + e.kind() + " '" + e.code() + "' on field " + e.field());
                return e.kind() == kind && code.equals(e.code()) && Objects.equals(field, e.field());
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("a DomainException " + kind + " '" + code + "' on field " + field);
            }
        };
    }
}
