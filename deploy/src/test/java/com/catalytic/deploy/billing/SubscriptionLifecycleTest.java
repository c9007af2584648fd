package com.catalytic.deploy.billing;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.FakeStripe;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.StripePayloads;
import com.catalytic.deploy.support.TestApp;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A customer's whole billing life, end to end over HTTP with e-mail through a real SMTP server: register, check
 * out, Stripe reports the completed checkout and the new subscription (plan professional, its quota and rate limit
 * in force at once), three failed payments (an e-mail each, then suspension and its e-mail), a paid invoice
 * (reinstated, receipt e-mailed).
 */
class SubscriptionLifecycleTest {

    @RegisterExtension
    static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
            .withPerMethodLifecycle(false);

    static FakeStripe stripe;
    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        stripe = new FakeStripe();
        Map<String, String> settings = stripe.appSettings();
        settings.put("SMTP_HOST", "127.0.0.1");
        settings.put("SMTP_PORT", Integer.toString(smtp.getSmtp().getPort()));
        settings.put("SMTP_STARTTLS", "false");
        settings.put("EMAIL_FROM", "Catalytic Billing <billing@catalytic.test>");
        settings.put("catalytic.mail.dispatch-interval", "200ms");
        settings.put("catalytic.plans.free.api-calls-per-month", "10");
        settings.put("catalytic.plans.free.requests-per-minute", "600");
        settings.put("catalytic.plans.professional.api-calls-per-month", "40");
        settings.put("catalytic.plans.professional.requests-per-minute", "1200");
        app = TestApp.start(TestApp.newSchema(), settings);
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
        stripe.close();
    }

    private static List<MimeMessage> mailsTo(String address) {
        return Arrays.stream(smtp.getReceivedMessages()).filter(m -> {
            try {
                return Arrays.stream(m.getRecipients(Message.RecipientType.TO))
                        .anyMatch(a -> a.toString().equalsIgnoreCase(address));
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    private static List<String> subjectsTo(String address) {
        return mailsTo(address).stream().map(m -> {
            try {
                return m.getSubject();
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    /** The decoded text/html part of a message. */
    private static String htmlPart(Part part) throws Exception {
        if (part.isMimeType("text/html")) {
            return (String) part.getContent();
        }
        if (part.getContent() instanceof Multipart multi) {
            for (int i = 0; i < multi.getCount(); i++) {
                String html = htmlPart(multi.getBodyPart(i));
                if (html != null) {
                    return html;
                }
            }
        }
        return null;
    }

    private static void deliver(String type, long created, String object) {
        String payload = StripePayloads.event(BillingTest.id("evt"), type, created, object);
        Response r = http.postRaw("/webhooks/stripe", payload, "application/json", "Stripe-Signature",
                StripePayloads.sign(payload));
        assertThat(r.status()).as("%s %s", type, r).isEqualTo(200);
        assertThat(r.text("received")).isEqualTo("true");
    }

    @Test
    void registerSubscribeFailToPayGetSuspendedPayAndGetReinstated() throws Exception {
        String company = "Lattice <Works> & Co";
        String email = Accounts.uniqueEmail("lifecycle");
        Response reg = http.post("/auth/register", Http.registration(email, Accounts.PASSWORD, company));
        assertThat(reg.status()).isEqualTo(201);
        String tenantId = reg.text("tenant_id");
        Account owner = Accounts.login(http, email, Accounts.PASSWORD);
        String[] auth = bearer(owner.accessToken());
        Response me = http.get("/api/me", auth);
        assertThat(me.header("X-RateLimit-Limit")).isEqualTo("600");
        assertThat(http.get("/api/usage", auth).json().path("quota").path("limit").asLong()).isEqualTo(10);

        // checkout
        Response checkout = http.post("/api/subscription/checkout", Map.of("plan", "professional", "interval",
                "month"), auth);
        assertThat(checkout.status()).as("%s", checkout).isEqualTo(200);
        assertThat(checkout.text("checkout_url")).startsWith("https://checkout.stripe.test/");
        String sessionId = checkout.text("session_id");

        // the customer pays; Stripe reports the completed checkout and the new subscription
        String customer = BillingTest.id("cus");
        String subscription = BillingTest.id("sub");
        long t = BillingTest.now() - 120;
        deliver("checkout.session.completed", t, StripePayloads.checkoutCompleted(sessionId, tenantId, customer,
                subscription));
        deliver("customer.subscription.created", t, StripePayloads.subscription(subscription, tenantId, customer,
                "active", "professional_month", t, null));
        deliver("invoice.paid", t + 1, StripePayloads.invoice(BillingTest.id("in"), customer, subscription, 9900, 1,
                "paid"));

        // the plan is professional and its quota and rate limit apply immediately
        Response after = http.get("/api/me", auth);
        assertThat(after.header("X-RateLimit-Limit")).isEqualTo("1200");
        Response usage = http.get("/api/usage", auth);
        assertThat(usage.json().path("quota").path("plan").asText()).isEqualTo("professional");
        assertThat(usage.json().path("quota").path("limit").asLong()).isEqualTo(40);
        for (int i = 0; i < 10; i++) { // well past the free plan's 10 calls
            assertThat(http.get("/api/me", auth).status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Response s = http.get("/api/subscription", auth);
            assertThat(s.text("status")).isEqualTo("active");
            assertThat(s.text("plan")).isEqualTo("professional");
            assertThat(s.text("interval")).isEqualTo("month");
            assertThat(s.text("stripe_customer_id")).isEqualTo(customer);
        });
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(subjectsTo(email))
                .contains("Payment received for " + company + ": USD 99.00"));

        // a paying team: a member and an API key
        String memberEmail = Accounts.uniqueEmail("member");
        assertThat(http.post("/api/users", Map.of("email", memberEmail, "role", "member", "password",
                Accounts.PASSWORD), auth).status()).isEqualTo(201);
        String apiKey = http.post("/api/api-keys", Map.of("name", "ci", "scopes", List.of("users:read")), auth)
                .text("key");

        // three failed payments of the next invoice, matched to the tenant by its Stripe customer
        String invoice = BillingTest.id("in");
        for (int attempt = 1; attempt <= 3; attempt++) {
            deliver("invoice.payment_failed", t + 10 + attempt, StripePayloads.invoice(invoice, customer,
                    subscription, 9900, attempt, "open"));
            if (attempt < 3) {
                assertThat(http.get("/api/me", auth).status()).isEqualTo(200);
            }
        }
        Response suspended = http.get("/api/users", auth);
        assertThat(suspended.status()).isEqualTo(403);
        assertThat(suspended.text("code")).isEqualTo("tenant_suspended");
        assertThat(suspended.text("detail")).contains("until its open invoice is paid");
        // the owner can still sign in and reach billing to pay; nothing else works, for nobody else
        Account again = Accounts.login(http, email, Accounts.PASSWORD);
        String[] billingAuth = bearer(again.accessToken());
        assertThat(http.get("/api/subscription", billingAuth).status()).isEqualTo(200);
        assertThat(http.post("/api/subscription/portal", Map.of(), billingAuth).text("portal_url"))
                .startsWith("https://billing.stripe.test/");
        assertThat(http.get("/api/users", billingAuth).status()).isEqualTo(403);
        assertThat(http.get("/api/subscription", "X-API-Key", apiKey).status()).isEqualTo(403);
        assertThat(http.get("/api/users", "X-API-Key", apiKey).status()).isEqualTo(403);
        Response memberLogin = http.post("/auth/login", Map.of("email", memberEmail, "password", Accounts.PASSWORD));
        assertThat(memberLogin.status()).isEqualTo(403);
        assertThat(memberLogin.text("code")).isEqualTo("tenant_suspended");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<String> subjects = subjectsTo(email);
            assertThat(subjects.stream().filter(s -> s.startsWith("Payment failed for " + company))).hasSize(3);
            assertThat(subjects).contains("Your Catalytic Computing account " + company + " is suspended");
        });
        MimeMessage lastFailure = mailsTo(email).stream().filter(m -> {
            try {
                return m.getSubject().startsWith("Payment failed") && GreenMailUtil.getBody(m).contains("(this was 2)");
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).findFirst().orElseThrow();
        String body = htmlPart(lastFailure);
        // the customer's own text is escaped in the HTML part; the invoice link is there to pay
        assertThat(body).contains("Lattice &lt;Works&gt; &amp; Co", "USD 99.00",
                "https://invoice.stripe.test/i/" + invoice).doesNotContain("<strong>Lattice <Works>");
        assertThat(lastFailure.getFrom()[0].toString()).contains("billing@catalytic.test");

        // the invoice is paid: reinstated at once, receipt e-mailed
        deliver("invoice.paid", t + 30, StripePayloads.invoice(invoice, customer, subscription, 9900, 4, "paid"));
        assertThat(http.get("/api/users", auth).status()).isEqualTo(200);
        assertThat(http.get("/api/users", "X-API-Key", apiKey).status()).isEqualTo(200);
        assertThat(http.post("/auth/login", Map.of("email", memberEmail, "password", Accounts.PASSWORD)).status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Response s = http.get("/api/subscription", auth);
            assertThat(s.json().path("failed_payments").asInt()).isZero();
            assertThat(s.json().path("suspended_for_non_payment").asBoolean()).isFalse();
        });
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(subjectsTo(email)
                .stream().filter(s -> s.startsWith("Payment received"))).hasSize(2));

        // the other billing notices: a payment the bank wants confirmed, the end of a trial
        deliver("invoice.payment_action_required", t + 40, StripePayloads.invoice(BillingTest.id("in"), customer,
                subscription, 9900, 1, "open"));
        deliver("customer.subscription.trial_will_end", t + 41, "{\"id\":\"" + subscription + "\",\"object\":"
                + "\"subscription\",\"customer\":\"" + customer + "\",\"trial_end\":" + (t + 3 * 86400) + "}");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(subjectsTo(email)).contains(
                "Action needed to pay for " + company,
                "The professional trial of " + company + " ends on " + Instant.ofEpochSecond(t + 3 * 86400)));

        // the whole story is in the subscription's history
        Response history = http.get("/api/history/subscription/sub-" + tenantId, auth);
        assertThat(history.status()).isEqualTo(200);
        assertThat(history.raw()).contains("CheckoutStartedEvent", "StripeCustomerLinkedEvent",
                "SubscriptionUpdatedEvent", "PaymentFailedEvent", "SuspendedForNonPaymentEvent",
                "NonPaymentResolvedEvent");
    }
}
