package com.catalytic.deploy.config;

import io.sentry.Breadcrumb;
import io.sentry.Hint;
import io.sentry.SentryEvent;
import io.sentry.SentryOptions;
import io.sentry.protocol.Message;
import io.sentry.protocol.Request;
import io.sentry.protocol.SentryException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What reaches Sentry (only with {@code SENTRY_DSN}, see {@link RuntimeEnvironment}): every event passes
 * {@link #scrub} before it leaves. No user (no IP address), no cookies, query strings, bodies or environment, only
 * harmless request headers, and credentials, secrets and e-mail addresses masked wherever they appear in text
 * (messages, their parameters, exception messages, breadcrumbs).
 */
@Configuration
@ConditionalOnProperty("sentry.dsn")
class SentryConfiguration {

    /** Request headers sent as they are; every other header is left out (Authorization, X-API-Key, Cookie…). */
    static final Set<String> KEPT_HEADERS = Set.of("accept", "content-type", "content-length", "x-request-id");

    private static final List<Pattern> SECRETS = List.of(
            Pattern.compile("eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*"), // JWTs
            Pattern.compile("clc_live_[A-Za-z0-9]+"), // API keys
            Pattern.compile("(?i)\\bbearer\\s+\\S+"),
            Pattern.compile("\\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]+|\\bwhsec_[A-Za-z0-9]+"), // Stripe
            Pattern.compile("\\bSG\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"), // SendGrid
            Pattern.compile("(?<=://)[^/@\\s:]+:[^/@\\s]+(?=@)"), // user:password@ in URLs
            Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}")); // e-mail addresses

    static final String MASK = "[redacted]";

    @Bean
    SentryOptions.BeforeSendCallback scrubbingBeforeSend() {
        return SentryConfiguration::scrub;
    }

    @Bean
    SentryOptions.BeforeBreadcrumbCallback scrubbingBeforeBreadcrumb() {
        return (breadcrumb, hint) -> scrub(breadcrumb);
    }

    static SentryEvent scrub(SentryEvent event, Hint hint) {
        event.setUser(null);
        Request request = event.getRequest();
        if (request != null) {
            Map<String, String> kept = new LinkedHashMap<>();
            if (request.getHeaders() != null) {
                request.getHeaders().forEach((name, value) -> {
                    if (KEPT_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                        kept.put(name, value);
                    }
                });
            }
            request.setHeaders(kept);
            request.setCookies(null);
            request.setQueryString(null);
            request.setData(null);
            request.setEnvs(null);
            request.setOthers(null);
            request.setUrl(mask(request.getUrl()));
        }
        Message message = event.getMessage();
        if (message != null) {
            message.setMessage(mask(message.getMessage()));
            message.setFormatted(mask(message.getFormatted()));
            if (message.getParams() != null) {
                message.setParams(message.getParams().stream().map(SentryConfiguration::mask).toList());
            }
        }
        if (event.getExceptions() != null) {
            for (SentryException e : event.getExceptions()) {
                e.setValue(mask(e.getValue()));
            }
        }
        if (event.getBreadcrumbs() != null) {
            event.getBreadcrumbs().forEach(SentryConfiguration::scrub);
        }
        return event;
    }

    static Breadcrumb scrub(Breadcrumb breadcrumb) {
        breadcrumb.setMessage(mask(breadcrumb.getMessage()));
        return breadcrumb;
    }

    static String mask(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (Pattern p : SECRETS) {
            out = p.matcher(out).replaceAll(MASK);
        }
        return out;
    }
}
