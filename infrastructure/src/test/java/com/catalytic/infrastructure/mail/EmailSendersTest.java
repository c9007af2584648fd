package com.catalytic.infrastructure.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.catalytic.infrastructure.mail.EmailSender.Email;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpServer;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.web.util.HtmlUtils;

/** The transports the settings choose, against a real local SMTP server and a local fake of SendGrid's API. */
class EmailSendersTest {

    @RegisterExtension
    static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    @TempDir
    Path dir;

    private static final String NAME = "Zoë <script>alert(1)</script> & Co";

    private static Email invitation(String to) {
        String text = "You have been invited to join " + NAME + ".\n";
        String html = "<p>You have been invited to join <strong>" + HtmlUtils.htmlEscape(NAME) + "</strong>.</p>";
        return new Email(to, "You are invited to " + NAME, text, html);
    }

    @Test
    void smtpWhenSmtpHostIsSet() throws Exception {
        Map<String, String> settings = Map.of("SMTP_HOST", "127.0.0.1",
                "SMTP_PORT", Integer.toString(smtp.getSmtp().getPort()), "SMTP_STARTTLS", "false",
                "EMAIL_FROM", "Catalytic <no-reply@catalytic.example>");
        EmailSenders.Choice choice = EmailSenders.fromSettings(settings::get, Clock.systemUTC());
        assertThat(choice.description()).startsWith("SMTP 127.0.0.1:");

        choice.sender().send(invitation("new.member@example.com"));

        MimeMessage[] received = smtp.getReceivedMessages();
        assertThat(received).hasSize(1);
        MimeMessage m = received[0];
        assertThat(m.getAllRecipients()).extracting(Object::toString).containsExactly("new.member@example.com");
        assertThat(m.getFrom()[0].toString()).isEqualTo("Catalytic <no-reply@catalytic.example>");
        assertThat(m.getSubject()).isEqualTo("You are invited to " + NAME);
        String body = GreenMailUtil.getBody(m);
        assertThat(body).contains("Content-Type: text/plain; charset=UTF-8", "Content-Type: text/html;charset=UTF-8");
        // the user's value is escaped in the HTML part (the text part carries it as plain text)
        String html = body.substring(body.indexOf("Content-Type: text/html"));
        assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co").doesNotContain("<script>");
    }

    @Test
    void sendGridWhenItsKeyIsSetAndAFailureIsReported() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        List<String> auth = new CopyOnWriteArrayList<>();
        int[] status = {202};
        HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fake.createContext("/v3/mail/send", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            auth.add(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] answer = status[0] == 202 ? new byte[0] : "{\"errors\":[{\"message\":\"bad key\"}]}".getBytes();
            exchange.sendResponseHeaders(status[0], answer.length == 0 ? -1 : answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        fake.start();
        try {
            Map<String, String> settings = new HashMap<>();
            settings.put("SENDGRID_API_KEY", "SG.test-key");
            settings.put("SENDGRID_API_BASE", "http://127.0.0.1:" + fake.getAddress().getPort());
            settings.put("EMAIL_FROM", "Catalytic <no-reply@catalytic.example>");
            settings.put("SMTP_HOST", "ignored.example"); // SendGrid wins
            EmailSenders.Choice choice = EmailSenders.fromSettings(settings::get, Clock.systemUTC());
            assertThat(choice.description()).startsWith("SendGrid");

            choice.sender().send(invitation("new.member@example.com"));
            assertThat(auth).containsExactly("Bearer SG.test-key");
            assertThat(bodies.get(0)).contains("\"email\":\"new.member@example.com\"",
                    "\"email\":\"no-reply@catalytic.example\"", "\"name\":\"Catalytic\"", "\"type\":\"text/plain\"",
                    "\"type\":\"text/html\"", "&lt;script&gt;");

            status[0] = 401;
            assertThatThrownBy(() -> choice.sender().send(invitation("other@example.com")))
                    .hasMessageContaining("HTTP 401").hasMessageContaining("bad key");
        } finally {
            fake.stop(0);
        }
    }

    @Test
    void theLocalOutboxOtherwiseAndAPlaceholderKeyIsNotAKey() throws Exception {
        Map<String, String> settings = Map.of("SENDGRID_API_KEY", "SG.placeholder",
                "catalytic.mail.outbox-dir", dir.toString());
        EmailSenders.Choice choice = EmailSenders.fromSettings(settings::get, Clock.systemUTC());
        assertThat(choice.description()).startsWith("the local outbox");
        choice.sender().send(invitation("new.member@example.com"));
        try (var files = Files.list(dir)) {
            String eml = Files.readString(files.findFirst().orElseThrow());
            assertThat(eml).contains("To: new.member@example.com", "&lt;script&gt;");
        }
    }
}
