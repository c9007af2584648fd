package com.catalytic.command.notify;

import com.catalytic.infrastructure.mail.EmailSender.Email;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.web.util.HtmlUtils;

/**
 * The e-mail templates ({@code classpath:mail/<name>.subject|.txt|.html}), with {@code {{key}}} placeholders: in
 * the HTML part every value is HTML-escaped, in the subject line breaks are removed, the text part takes values as
 * they are. A placeholder without a value is an error (never an empty hole in a customer's e-mail).
 */
final class MailTemplates {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_]+)}}");

    private MailTemplates() {
    }

    public static Email render(String template, String to, Map<String, String> values) {
        String subject = fill(load(template + ".subject").strip(), values, v -> v.replaceAll("[\\r\\n]+", " "));
        String text = fill(load(template + ".txt"), values, v -> v);
        String html = fill(load(template + ".html"), values, HtmlUtils::htmlEscape);
        return new Email(to, subject, text, html);
    }

    private static String fill(String source, Map<String, String> values,
                               UnaryOperator<String> escape) {
        Matcher m = PLACEHOLDER.matcher(source);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException("no value for {{" + m.group(1) + "}}");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(escape.apply(value)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String load(String name) {
        try (InputStream in = MailTemplates.class.getResourceAsStream("/mail/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no e-mail template " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
