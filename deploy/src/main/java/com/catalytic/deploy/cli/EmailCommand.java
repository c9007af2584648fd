package com.catalytic.deploy.cli;

import com.catalytic.infrastructure.mail.EmailSender.Email;
import com.catalytic.infrastructure.mail.EmailSenders;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.springframework.web.util.HtmlUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The deployment guide's e-mail check: one message through the transport the node's settings choose. */
@Command(name = "email", mixinStandardHelpOptions = true, description = "E-mail tools.",
        subcommands = {EmailCommand.Test.class})
public class EmailCommand {

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = "Send a test e-mail through the configured transport (SENDGRID_API_KEY, SMTP_*, else the "
                    + "local outbox) and report the outcome.")
    public static class Test implements Callable<Integer> {
        @Option(names = "--to", required = true, paramLabel = "ADDRESS", description = "recipient")
        String to;

        /** Settings by their environment names; a system property of the same name wins (for tests). */
        Function<String, String> settings = name -> System.getProperty(name, System.getenv(name));

        @Override
        public Integer call() {
            if (!to.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
                System.err.println("--to must be an e-mail address, e.g. ops@example.com");
                return 2;
            }
            EmailSenders.Choice choice;
            try {
                choice = EmailSenders.fromSettings(settings, Clock.systemUTC());
            } catch (RuntimeException e) {
                System.err.println("the e-mail settings are not usable: " + e.getMessage());
                return 1;
            }
            String node = node();
            Instant now = Instant.now();
            String text = "This is a test e-mail from Catalytic Computing, sent by `catalytic email test` on " + node
                    + " at " + now + ".\n\nIf you can read this, the node's e-mail settings work.\n";
            String html = "<p>This is a test e-mail from Catalytic Computing, sent by <code>catalytic email test</code>"
                    + " on " + HtmlUtils.htmlEscape(node) + " at " + now + ".</p><p>If you can read this, the node's"
                    + " e-mail settings work.</p>";
            System.out.println("Sending a test e-mail to " + to + " through " + choice.description());
            try {
                choice.sender().send(new Email(to, "Catalytic e-mail test (" + node + ")", text, html));
            } catch (RuntimeException e) {
                System.err.println("failed: " + e.getMessage());
                return 1;
            }
            System.out.println("Sent. Check the inbox of " + to + " (and its spam folder).");
            return 0;
        }

        private static String node() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                return "this node";
            }
        }
    }
}
