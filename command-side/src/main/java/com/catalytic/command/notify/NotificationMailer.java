package com.catalytic.command.notify;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.account.AccountQueries.ListMemberAddressesQuery;
import com.catalytic.api.account.AccountQueries.MemberAddresses;
import com.catalytic.api.account.FindTenantQuery;
import com.catalytic.api.account.TenantView;
import com.catalytic.api.billing.SubscriptionEvents.PaymentActionRequiredEvent;
import com.catalytic.api.billing.SubscriptionEvents.PaymentFailedEvent;
import com.catalytic.api.billing.SubscriptionEvents.PaymentSucceededEvent;
import com.catalytic.api.billing.SubscriptionEvents.TrialEndingEvent;
import com.catalytic.api.personal.PersonalData;
import com.catalytic.api.plan.PlanCatalogue;
import com.catalytic.api.tenant.TenantEvents.TenantSuspendedEvent;
import com.catalytic.api.tenant.TenantEvents.UserAddedEvent;
import com.catalytic.api.tenant.TenantRegisteredEvent;
import com.catalytic.api.usage.UsageEvents.UsageThresholdReachedEvent;
import com.catalytic.api.user.UserMessages.InvitationIssuedEvent;
import com.catalytic.api.user.UserMessages.PasswordResetRequestedEvent;
import com.catalytic.api.user.UserRegisteredEvent;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookDisabledForFailuresEvent;
import com.catalytic.api.webhook.WebhookMessages.FindWebhookQuery;
import com.catalytic.api.webhook.WebhookMessages.WebhookView;
import com.catalytic.command.billing.DunningPolicy;
import com.catalytic.command.uniqueness.UniqueKeyRegistry.Scope;
import com.catalytic.command.uniqueness.UniqueKeyRegistry;
import com.catalytic.command.user.LinkSecrets;
import com.catalytic.infrastructure.mail.QueuedEmailSender;
import com.catalytic.infrastructure.metering.QuotaLedger;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DisallowReplay;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * E-mails caused by events, sent after the event is stored: this processing group (streaming, starting at the
 * head of the event store when it is first deployed, never replayed) renders each message and queues it once per
 * event and recipient; the mail queue delivers it with retries. Welcome (the new tenant's owner), invitation (the
 * invited address), address in use (an address another tenant tried to add), usage threshold reached (the tenant's
 * active owners), account suspended and the billing messages — payment succeeded, payment failed, payment action
 * required, trial ending — and a webhook disabled after failing too long (the tenant's active owners and admins).
 */
@Component
@ProcessingGroup(ProcessingGroupNames.NOTIFICATIONS)
class NotificationMailer {

    private static final Logger log = LoggerFactory.getLogger(NotificationMailer.class);

    private final QueuedEmailSender mail;
    private final QueryGateway queries;
    private final PlanCatalogue plans;
    private final String appUrl;
    private final String apiDocsUrl;
    private final DunningPolicy dunning;
    private final LinkSecrets links;
    private final EventStore eventStore;
    private final UniqueKeyRegistry addresses;
    private final PersonalData personalData;

    public NotificationMailer(QueuedEmailSender mail, QueryGateway queries, PlanCatalogue plans,
                              DunningPolicy dunning, LinkSecrets links, EventStore eventStore,
                              UniqueKeyRegistry addresses, PersonalData personalData,
                              @Value("${FRONTEND_URL:http://localhost:8000}") String frontendUrl,
                              @Value("${BACKEND_URL:http://localhost:8000}") String backendUrl) {
        this.mail = mail;
        this.queries = queries;
        this.plans = plans;
        this.dunning = dunning;
        this.links = links;
        this.eventStore = eventStore;
        this.addresses = addresses;
        this.personalData = personalData;
        this.appUrl = frontendUrl.replaceAll("/+$", "");
        this.apiDocsUrl = backendUrl.replaceAll("/+$", "") + "/docs";
    }

    @EventHandler
    @DisallowReplay
    void on(TenantRegisteredEvent e, EventMessage<?> event) {
        Map<String, String> values = new HashMap<>();
        values.put("company", e.name());
        values.put("plan", plans.get(e.plan()).name());
        String to = personalData.open(e.ownerEmail());
        if (PersonalData.ERASED.equals(to)) {
            return;
        }
        values.put("email", to);
        values.put("app_url", appUrl);
        values.put("api_docs_url", apiDocsUrl);
        mail.sendOnce(event.getIdentifier() + "/welcome/" + e.ownerUserId(),
                MailTemplates.render("welcome", to, values));
    }

    /** A member added with an address another tenant's user holds never signs in: the holder is told, no link. */
    @EventHandler
    @DisallowReplay
    void on(UserAddedEvent e, EventMessage<?> event) {
        String to = personalData.open(e.email());
        if (PersonalData.ERASED.equals(to) || !heldByAnother(to, e.userId())) {
            return;
        }
        mail.sendOnce(event.getIdentifier() + "/address_in_use/" + e.userId(), MailTemplates.render("address_in_use",
                to, Map.of("company", company(e.tenantId()), "role", e.role().wire())));
    }

    private boolean heldByAnother(String email, String userId) {
        String holder = addresses.ownerOf(Scope.EMAIL, email);
        return holder != null && !holder.equals(userId);
    }

    @EventHandler
    @DisallowReplay
    void on(InvitationIssuedEvent e, EventMessage<?> event) {
        oneTimeLink(LinkSecrets.INVITATION, e.userId(), e.expiresAt(), e.tokenHash()).ifPresent(link ->
                mail.sendOnce(event.getIdentifier() + "/invitation/" + e.userId(),
                        MailTemplates.render("invitation", link.address(), Map.of(
                                "company", company(e.tenantId()), "role", link.account().role().wire(),
                                "link", appUrl + "/accept-invitation?token=" + link.token(),
                                "expires_at", e.expiresAt().toString()))));
    }

    @EventHandler
    @DisallowReplay
    void on(PasswordResetRequestedEvent e, EventMessage<?> event) {
        long minutes = Math.max(1, Duration.between(event.getTimestamp(), e.expiresAt()).toMinutes());
        oneTimeLink(LinkSecrets.PASSWORD_RESET, e.userId(), e.expiresAt(), e.tokenHash()).ifPresent(link ->
                mail.sendOnce(event.getIdentifier() + "/password_reset/" + e.userId(),
                        MailTemplates.render("password_reset", link.address(), Map.of(
                                "link", appUrl + "/reset-password?token=" + link.token(),
                                "expires_at", e.expiresAt().toString(), "minutes", Long.toString(minutes)))));
    }

    private record OneTimeLink(UserRegisteredEvent account, String address, String token) {
    }

    /** The e-mailed link's token, rebuilt from the stored hash (see {@link LinkSecrets}), and whom it is for. */
    private Optional<OneTimeLink> oneTimeLink(String purpose, String userId, Instant expiresAt,
                                              String tokenHash) {
        UserRegisteredEvent account = account(userId);
        Optional<String> secret = links.rebuild(purpose, userId, expiresAt, tokenHash);
        String address = account == null ? null : personalData.open(account.email());
        if (account != null && secret.isEmpty() && heldByAnother(address, userId)) {
            return Optional.empty(); // its invitation was made so that nobody can accept it; the holder was told
        }
        if (PersonalData.ERASED.equals(address)) {
            return Optional.empty();
        }
        if (account == null || secret.isEmpty()) {
            log.warn("{} link of user {} not e-mailed: {}", purpose, userId, account == null ? "no such user"
                    : "it was not made with this installation's link key");
            return Optional.empty();
        }
        return Optional.of(new OneTimeLink(account, address, LinkSecrets.token(userId, secret.get())));
    }

    /** The account as registered, from the user's own events (read models may not have it yet). */
    private UserRegisteredEvent account(String userId) {
        try (var events = eventStore.readEvents(userId).asStream()) {
            return events.map(EventMessage::getPayload).filter(UserRegisteredEvent.class::isInstance)
                    .map(UserRegisteredEvent.class::cast).findFirst().orElse(null);
        }
    }

    @EventHandler
    @DisallowReplay
    void on(UsageThresholdReachedEvent e, EventMessage<?> event) {
        Map<String, String> values = new HashMap<>();
        values.put("company", company(e.tenantId()));
        values.put("plan", plan(e.tenantId()));
        values.put("used", Long.toString(e.used()));
        values.put("limit", Long.toString(e.limit()));
        values.put("percent", Integer.toString(e.thresholdPercent()));
        values.put("period", e.period());
        values.put("reset_at", QuotaLedger.resetAt(YearMonth.parse(e.period()).atDay(1).atStartOfDay()
                .toInstant(ZoneOffset.UTC)).toString());
        values.put("app_url", appUrl);
        for (String to : recipients(e.tenantId(), List.of("owner"))) {
            mail.sendOnce(event.getIdentifier() + "/usage_threshold/" + to,
                    MailTemplates.render("usage_threshold", to, values));
        }
    }

    @EventHandler
    @DisallowReplay
    void on(TenantSuspendedEvent e, EventMessage<?> event) {
        Map<String, String> values = Map.of("company", company(e.tenantId()),
                "reason", e.reason() == null || e.reason().isBlank() ? "no reason given" : e.reason());
        for (String to : recipients(e.tenantId(), List.of("owner", "admin"))) {
            mail.sendOnce(event.getIdentifier() + "/account_suspended/" + to,
                    MailTemplates.render("account_suspended", to, values));
        }
    }

    @EventHandler
    @DisallowReplay
    void on(PaymentSucceededEvent e, EventMessage<?> event) {
        if (e.amountPaid() <= 0) {
            return; // a trial's or a fully credited invoice: nothing was charged
        }
        Map<String, String> values = Map.of("company", company(e.tenantId()),
                "amount", money(e.amountPaid(), e.currency()), "invoice_url", link(e.hostedInvoiceUrl()));
        billingMail(e.tenantId(), event, "payment_succeeded", values);
    }

    @EventHandler
    @DisallowReplay
    void on(PaymentFailedEvent e, EventMessage<?> event) {
        int limit = dunning.suspendAfterFailedPayments();
        String nextStep = e.failedPayments() >= limit
                ? "This was failed payment " + e.failedPayments() + " in a row: the account is suspended until the "
                        + "invoice is paid."
                : (e.nextPaymentAttempt() != null ? "We will try again on " + e.nextPaymentAttempt() + ". " : "")
                        + "After " + limit + " failed payments in a row the account is suspended (this was "
                        + e.failedPayments() + ").";
        Map<String, String> values = Map.of("company", company(e.tenantId()),
                "amount", money(e.amountDue(), e.currency()), "attempt", Integer.toString(Math.max(1, e.attemptCount())),
                "next_step", nextStep, "invoice_url", link(e.hostedInvoiceUrl()));
        billingMail(e.tenantId(), event, "payment_failed", values);
    }

    @EventHandler
    @DisallowReplay
    void on(PaymentActionRequiredEvent e, EventMessage<?> event) {
        Map<String, String> values = Map.of("company", company(e.tenantId()),
                "amount", money(e.amountDue(), e.currency()), "invoice_url", link(e.hostedInvoiceUrl()));
        billingMail(e.tenantId(), event, "payment_action_required", values);
    }

    @EventHandler
    @DisallowReplay
    void on(TrialEndingEvent e, EventMessage<?> event) {
        Map<String, String> values = Map.of("company", company(e.tenantId()),
                "plan", e.plan() == null ? "current" : plans.get(e.plan()).name(),
                "trial_end", e.trialEnd() == null ? "soon" : e.trialEnd().toString(), "app_url", appUrl);
        billingMail(e.tenantId(), event, "trial_ending", values);
    }

    /** Billing messages go to the people who can act on them: the tenant's owners and admins. */
    @EventHandler
    @DisallowReplay
    void on(WebhookDisabledForFailuresEvent e, EventMessage<?> event) {
        WebhookView webhook = queries.query(new FindWebhookQuery(e.tenantId(), e.webhookId()),
                ResponseTypes.instanceOf(WebhookView.class)).join();
        String url = webhook == null ? "(deleted)" : webhook.url();
        long days = Math.max(1, Duration.between(e.failingSince(), e.lastFailureAt()).toDays());
        billingMail(e.tenantId(), event, "webhook_disabled", Map.of("company", company(e.tenantId()),
                "url", url, "webhook_id", e.webhookId(), "failing_since", e.failingSince().toString(),
                "days", Long.toString(days)));
    }

    /** To the tenant's active owners and admins, once per event and address. */
    private void billingMail(String tenantId, EventMessage<?> event, String template, Map<String, String> values) {
        for (String to : recipients(tenantId, List.of("owner", "admin"))) {
            mail.sendOnce(event.getIdentifier() + "/" + template + "/" + to, MailTemplates.render(template, to, values));
        }
    }

    private String link(String hostedInvoiceUrl) {
        return hostedInvoiceUrl == null || hostedInvoiceUrl.isBlank() ? appUrl + "/billing" : hostedInvoiceUrl;
    }

    /** An amount in the currency's minor units, e.g. 9900 usd → "USD 99.00". */
    static String money(long minorUnits, String currency) {
        String code = currency == null ? "USD" : currency.toUpperCase(Locale.ROOT);
        int digits;
        try {
            digits = Math.max(0, Currency.getInstance(code).getDefaultFractionDigits());
        } catch (IllegalArgumentException unknown) {
            digits = 2;
        }
        return code + " " + BigDecimal.valueOf(minorUnits, digits).toPlainString();
    }

    private TenantView tenant(String tenantId) {
        return queries.query(new FindTenantQuery(tenantId), ResponseTypes.instanceOf(TenantView.class)).join();
    }

    private String company(String tenantId) {
        TenantView tenant = tenant(tenantId);
        return tenant == null ? "your organization" : tenant.name();
    }

    private String plan(String tenantId) {
        TenantView tenant = tenant(tenantId);
        return tenant == null ? "current" : plans.get(tenant.plan()).name();
    }

    /**
     * The tenant's active members in these roles who sign in (not pending invitations, nor a member whose address is
     * held in another tenant), from the read model (kept in step by subscribing handlers).
     */
    private List<String> recipients(String tenantId, List<String> roles) {
        return queries.query(new ListMemberAddressesQuery(tenantId, roles),
                ResponseTypes.instanceOf(MemberAddresses.class)).join().emails();
    }
}
