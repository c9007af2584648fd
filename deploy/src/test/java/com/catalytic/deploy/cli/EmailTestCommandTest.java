package com.catalytic.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** `catalytic email test --to ADDRESS`, the deployment guide's e-mail check, against a real local SMTP server. */
class EmailTestCommandTest {

    @RegisterExtension
    static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private record Run(int code, String out, String err) {
    }

    private static Run run(Map<String, String> settings, String... args) {
        EmailCommand.Test test = new EmailCommand.Test();
        test.settings = settings::get;
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true));
        System.setErr(new PrintStream(e, true));
        try {
            int code = new CommandLine(test).execute(args);
            return new Run(code, o.toString(), e.toString());
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void sendsOneMessageThroughTheConfiguredSmtpServer() throws Exception {
        Map<String, String> settings = Map.of("SMTP_HOST", "127.0.0.1",
                "SMTP_PORT", Integer.toString(smtp.getSmtp().getPort()), "SMTP_STARTTLS", "false",
                "EMAIL_FROM", "Catalytic <no-reply@catalytic.example>");
        Run r = run(settings, "--to", "ops@example.com");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("through SMTP 127.0.0.1:", "Sent.");
        MimeMessage[] received = smtp.getReceivedMessages();
        assertThat(received).hasSize(1);
        assertThat(received[0].getAllRecipients()[0].toString()).isEqualTo("ops@example.com");
        assertThat(received[0].getSubject()).startsWith("Catalytic e-mail test");
    }

    @Test
    void reportsAnUnreachableServerAndABadAddress() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Run down = run(Map.of("SMTP_HOST", "127.0.0.1", "SMTP_PORT", Integer.toString(closed),
                "SMTP_STARTTLS", "false"), "--to", "ops@example.com");
        assertThat(down.code()).isEqualTo(1);
        assertThat(down.err()).startsWith("failed:");

        Run bad = run(Map.of(), "--to", "not-an-address");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(smtp.getReceivedMessages()).isEmpty();
    }
}
