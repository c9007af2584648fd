package com.catalytic.infrastructure.mail;

import com.sendgrid.Method;
import com.sendgrid.Request;
import com.sendgrid.Response;
import com.sendgrid.SendGrid;
import com.sendgrid.helpers.mail.Mail;
import com.sendgrid.helpers.mail.objects.Content;
import com.sendgrid.helpers.mail.objects.Personalization;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

/** E-mail through SendGrid's v3 API ({@code SENDGRID_API_KEY}), with SendGrid's own Java client. */
class SendGridEmailSender implements EmailSender {

    private final SendGrid client;
    private final com.sendgrid.helpers.mail.objects.Email from;

    /** @param apiBase {@code https://api.sendgrid.com} in production; another base (e.g. a local fake) in tests */
    public SendGridEmailSender(String apiKey, String from, String apiBase) {
        URI base = URI.create(apiBase);
        this.client = "http".equals(base.getScheme()) ? new SendGrid(apiKey, true) : new SendGrid(apiKey);
        this.client.setHost(base.getAuthority());
        try {
            InternetAddress address = new InternetAddress(from, true);
            this.from = new com.sendgrid.helpers.mail.objects.Email(address.getAddress(), address.getPersonal());
        } catch (AddressException e) {
            throw new IllegalArgumentException("EMAIL_FROM is not an e-mail address: " + from, e);
        }
    }

    @Override
    public void send(Email email) {
        Mail mail = new Mail();
        mail.setFrom(from);
        mail.setSubject(OutboxEmailSender.header(email.subject()));
        Personalization to = new Personalization();
        to.addTo(new com.sendgrid.helpers.mail.objects.Email(email.to()));
        mail.addPersonalization(to);
        mail.addContent(new Content("text/plain", email.text()));
        mail.addContent(new Content("text/html", email.html()));
        Request request = new Request();
        request.setMethod(Method.POST);
        request.setEndpoint("mail/send");
        Response response;
        try {
            request.setBody(mail.build());
            response = client.api(request);
        } catch (IOException e) {
            throw new UncheckedIOException("SendGrid could not be reached: " + e.getMessage(), e);
        }
        if (response.getStatusCode() >= 300) {
            throw new IllegalStateException("SendGrid refused the e-mail to " + email.to() + ": HTTP "
                    + response.getStatusCode() + " " + abbreviate(response.getBody()));
        }
    }

    private static String abbreviate(String body) {
        return body == null ? "" : body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }
}
