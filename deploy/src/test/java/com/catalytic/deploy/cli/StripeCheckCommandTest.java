package com.catalytic.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.FakeStripe;
import com.catalytic.deploy.support.TestApp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code catalytic stripe check}: the deployment guide's billing check, against a running service and a fake Stripe. */
class StripeCheckCommandTest {

    static FakeStripe stripe;
    static TestApp app;

    @BeforeAll
    static void start() throws Exception {
        stripe = new FakeStripe();
        app = TestApp.start(TestApp.newSchema(), stripe.appSettings());
    }

    @AfterAll
    static void stop() {
        app.close();
        stripe.close();
    }

    record Run(int code, String out) {
    }

    private static Run run(Map<String, String> settings) {
        StripeCommand.Check check = new StripeCommand.Check();
        check.settings = settings::get;
        PrintStream out = System.out;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true));
        try {
            return new Run(new CommandLine(check).execute(), o.toString());
        } finally {
            System.setOut(out);
        }
    }

    private static Map<String, String> settings() {
        Map<String, String> s = stripe.appSettings();
        s.put("BACKEND_URL", app.http().base() + "/");
        return s;
    }

    @Test
    void aWorkingSetupPasses() {
        Run r = run(settings());
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("price professional_month: price_professional_month",
                "signed test event → HTTP 200 (accepted)", "wrongly signed event → HTTP 400 (refused)",
                "Billing is ready.");
        assertThat(app.jdbc().queryForObject("SELECT COUNT(*) FROM stripe_events WHERE type = "
                + "'catalytic.webhook_check' AND outcome LIKE 'ignored%'", Long.class)).isPositive();
    }

    @Test
    void aWrongWebhookSecretOrKeyFails() {
        Map<String, String> wrongSecret = settings();
        wrongSecret.put("STRIPE_WEBHOOK_SECRET", "whsec_other");
        Run r = run(wrongSecret);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("signed test event → HTTP 400", "Billing is NOT ready");

        Map<String, String> wrongKey = settings();
        wrongKey.put("STRIPE_SECRET_KEY", "sk_test_wrong");
        Run k = run(wrongKey);
        assertThat(k.code()).isEqualTo(1);
        assertThat(k.out()).contains("STRIPE_SECRET_KEY: refused by Stripe (Invalid API Key provided)");

        Map<String, String> none = Map.of("STRIPE_SECRET_KEY", "sk_live_placeholder");
        Run n = run(none);
        assertThat(n.code()).isEqualTo(1);
        assertThat(n.out()).contains("STRIPE_SECRET_KEY: not set", "STRIPE_WEBHOOK_SECRET: not set");
    }
}
