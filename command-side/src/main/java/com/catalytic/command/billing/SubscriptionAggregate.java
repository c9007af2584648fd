package com.catalytic.command.billing;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import com.catalytic.api.billing.SubscriptionCommands.BillingStatus;
import com.catalytic.api.billing.SubscriptionCommands.CompleteCheckoutCommand;
import com.catalytic.api.billing.SubscriptionCommands.InvoiceFacts;
import com.catalytic.api.billing.SubscriptionCommands.ReadBillingStatusCommand;
import com.catalytic.api.billing.SubscriptionCommands.RecordCheckoutCommand;
import com.catalytic.api.billing.SubscriptionCommands.RecordPaymentActionRequiredCommand;
import com.catalytic.api.billing.SubscriptionCommands.RecordPaymentFailedCommand;
import com.catalytic.api.billing.SubscriptionCommands.RecordPaymentSucceededCommand;
import com.catalytic.api.billing.SubscriptionCommands.RecordTrialEndingCommand;
import com.catalytic.api.billing.SubscriptionCommands.StripeEventRef;
import com.catalytic.api.billing.SubscriptionCommands.SyncSubscriptionCommand;
import com.catalytic.api.billing.SubscriptionEvents.CheckoutStartedEvent;
import com.catalytic.api.billing.SubscriptionEvents.NonPaymentResolvedEvent;
import com.catalytic.api.billing.SubscriptionEvents.PaymentActionRequiredEvent;
import com.catalytic.api.billing.SubscriptionEvents.PaymentFailedEvent;
import com.catalytic.api.billing.SubscriptionEvents.PaymentSucceededEvent;
import com.catalytic.api.billing.SubscriptionEvents.StripeCustomerLinkedEvent;
import com.catalytic.api.billing.SubscriptionEvents.StripeEventRejectedEvent;
import com.catalytic.api.billing.SubscriptionEvents.SubscriptionUpdatedEvent;
import com.catalytic.api.billing.SubscriptionEvents.SuspendedForNonPaymentEvent;
import com.catalytic.api.billing.SubscriptionEvents.TrialEndingEvent;
import com.catalytic.api.plan.PlanCatalogue;
import com.catalytic.command.uniqueness.UniqueKeyRegistry.Scope;
import com.catalytic.command.uniqueness.UniqueKeyRegistry;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.serialization.Revision;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * A tenant's subscription, kept in step with Stripe. Stripe delivers webhooks at least once and in no particular
 * order, so every change made from a Stripe event is guarded twice: an event id already applied changes nothing,
 * and a subscription object older than the one already applied does not roll the state back. Dunning lives here
 * too: consecutive failed payments are counted, and the {@link DunningPolicy}'s limit suspends the tenant until an
 * invoice is paid. Every command answers the {@link BillingStatus} the tenant must be brought to.
 * <p>
 * A Stripe event is the tenant's only through its customer: the first customer seen is linked (and claimed for the
 * tenant), and afterwards an event naming another customer is recorded as rejected ({@link StripeEventRejectedEvent})
 * and changes nothing else. Only a completed checkout, which the service starts for the tenant, may link a new
 * customer; a customer on record for another tenant is never taken.
 */
@Aggregate(type = "subscription", snapshotTriggerDefinition = "subscriptionSnapshotTrigger")
@Revision("1")
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE)
public class SubscriptionAggregate {

    /** Stripe statuses under which the subscription's plan is in force (past_due and unpaid: dunning decides). */
    static final Set<String> ENTITLED = Set.of("trialing", "active", "past_due", "unpaid");
    static final String CUSTOMER_MISMATCH = "customer_mismatch";
    static final String CUSTOMER_TAKEN = "customer_taken";
    private static final int REMEMBERED = 500;

    @AggregateIdentifier
    private String subscriptionId;
    private String tenantId;
    private String customerId;
    private String checkoutSessionId;
    private String stripeSubscriptionId;
    private String plan;
    private String interval;
    private String status;
    private Instant syncedAt;
    private int failedPayments;
    private Instant lastFailureAt;
    private boolean suspendedForNonPayment;
    // concrete types: a snapshot restores them as they are (the oldest remembered id is the first one forgotten)
    private final LinkedHashSet<String> appliedStripeEvents = new LinkedHashSet<>();
    private final LinkedHashSet<String> paidInvoices = new LinkedHashSet<>();
    private final LinkedHashSet<String> failedAttempts = new LinkedHashSet<>();

    protected SubscriptionAggregate() {
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    public BillingStatus handle(RecordCheckoutCommand cmd) {
        if (cmd.checkoutSessionId().equals(checkoutSessionId)) {
            return status(); // the same session again (Stripe answered a repeated request with it)
        }
        apply(new CheckoutStartedEvent(cmd.subscriptionId(), cmd.tenantId(), cmd.checkoutSessionId(), cmd.plan(),
                cmd.interval(), cmd.actor() == null || cmd.actor().isSystem() ? "system" : cmd.actor().userId()));
        return status();
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    public BillingStatus handle(CompleteCheckoutCommand cmd, UniqueKeyRegistry registry) {
        if (!fresh() && applied(cmd.stripeEvent())) {
            return status();
        }
        String rejected = bindCustomer(cmd.subscriptionId(), cmd.tenantId(), cmd.customerId(), cmd.stripeEvent(),
                registry, true);
        return rejected == null ? status() : status().rejected(rejected);
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    public BillingStatus handle(SyncSubscriptionCommand cmd, UniqueKeyRegistry registry, PlanCatalogue plans) {
        boolean fresh = fresh();
        if (!fresh && applied(cmd.stripeEvent())) {
            return status();
        }
        String rejected = bindCustomer(cmd.subscriptionId(), cmd.tenantId(), cmd.customerId(),
                cmd.stripeEvent(), registry, false);
        if (rejected != null) {
            return status().rejected(rejected);
        }
        if (!fresh && isStale(cmd)) {
            return status();
        }
        String newPlan = cmd.plan() != null && plans.find(cmd.plan()).isPresent() ? cmd.plan()
                : cmd.stripeSubscriptionId().equals(stripeSubscriptionId) ? plan : null;
        String newInterval = cmd.interval() != null ? cmd.interval() : interval;
        apply(new SubscriptionUpdatedEvent(cmd.subscriptionId(), cmd.tenantId(), cmd.stripeSubscriptionId(), newPlan,
                newInterval, cmd.status(), cmd.currentPeriodStart(), cmd.currentPeriodEnd(), cmd.trialEnd(),
                cmd.cancelAtPeriodEnd(), cmd.stripeEvent().id(), cmd.stripeEvent().created()));
        return status();
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    public BillingStatus handle(RecordTrialEndingCommand cmd, UniqueKeyRegistry registry) {
        if (!fresh() && applied(cmd.stripeEvent())) {
            return status();
        }
        String rejected = bindCustomer(cmd.subscriptionId(), cmd.tenantId(), cmd.customerId(), cmd.stripeEvent(),
                registry, false);
        if (rejected != null) {
            return status().rejected(rejected);
        }
        apply(new TrialEndingEvent(cmd.subscriptionId(), cmd.tenantId(), plan, cmd.trialEnd(), cmd.stripeEvent().id(),
                cmd.stripeEvent().created()));
        return status();
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    public BillingStatus handle(RecordPaymentSucceededCommand cmd, UniqueKeyRegistry registry) {
        InvoiceFacts invoice = cmd.invoice();
        if (!fresh() && (applied(cmd.stripeEvent()) || paidInvoices.contains(invoice.invoiceId()))) {
            return status(); // invoice.paid and invoice.payment_succeeded both report the same payment
        }
        String rejected = bindCustomer(cmd.subscriptionId(), cmd.tenantId(), invoice.customerId(),
                cmd.stripeEvent(), registry, false);
        if (rejected != null) {
            return status().rejected(rejected);
        }
        // a payment clears the failures that came before it; a late report of an older payment clears nothing
        boolean clears = lastFailureAt == null || !cmd.stripeEvent().created().isBefore(lastFailureAt);
        int remaining = clears ? 0 : failedPayments;
        apply(new PaymentSucceededEvent(cmd.subscriptionId(), cmd.tenantId(), invoice.invoiceId(), invoice.amount(),
                invoice.currency(), invoice.hostedInvoiceUrl(), remaining, cmd.stripeEvent().id(),
                cmd.stripeEvent().created()));
        if (suspendedForNonPayment && remaining == 0) {
            apply(new NonPaymentResolvedEvent(cmd.subscriptionId(), cmd.tenantId(), invoice.invoiceId()));
        }
        return status();
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    public BillingStatus handle(RecordPaymentFailedCommand cmd, DunningPolicy dunning, UniqueKeyRegistry registry) {
        InvoiceFacts invoice = cmd.invoice();
        String attempt = invoice.invoiceId() + "#" + invoice.attemptCount();
        if (!fresh() && (applied(cmd.stripeEvent()) || paidInvoices.contains(invoice.invoiceId())
                || failedAttempts.contains(attempt))) {
            return status(); // a redelivery, or a failure reported after the invoice was paid
        }
        String rejected = bindCustomer(cmd.subscriptionId(), cmd.tenantId(), invoice.customerId(),
                cmd.stripeEvent(), registry, false);
        if (rejected != null) {
            return status().rejected(rejected);
        }
        int failures = failedPayments + 1;
        apply(new PaymentFailedEvent(cmd.subscriptionId(), cmd.tenantId(), invoice.invoiceId(), invoice.amount(),
                invoice.currency(), invoice.attemptCount(), failures, invoice.nextPaymentAttempt(),
                invoice.hostedInvoiceUrl(), cmd.stripeEvent().id(), cmd.stripeEvent().created()));
        if (failures >= dunning.suspendAfterFailedPayments() && !suspendedForNonPayment) {
            apply(new SuspendedForNonPaymentEvent(cmd.subscriptionId(), cmd.tenantId(), failures));
        }
        return status();
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    public BillingStatus handle(RecordPaymentActionRequiredCommand cmd, UniqueKeyRegistry registry) {
        InvoiceFacts invoice = cmd.invoice();
        if (!fresh() && applied(cmd.stripeEvent())) {
            return status();
        }
        String rejected = bindCustomer(cmd.subscriptionId(), cmd.tenantId(), invoice.customerId(),
                cmd.stripeEvent(), registry, false);
        if (rejected != null) {
            return status().rejected(rejected);
        }
        apply(new PaymentActionRequiredEvent(cmd.subscriptionId(), cmd.tenantId(), invoice.invoiceId(),
                invoice.amount(), invoice.currency(), invoice.hostedInvoiceUrl(), cmd.stripeEvent().id(),
                cmd.stripeEvent().created()));
        return status();
    }

    // --- rules

    private boolean fresh() {
        return subscriptionId == null;
    }

    private boolean applied(StripeEventRef ref) {
        return appliedStripeEvents.contains(ref.id());
    }

    /**
     * An update is stale when the state already applied came from a later Stripe event, or from one of the same
     * second when the update is the subscription's creation (nothing precedes a creation). A report about another
     * Stripe subscription that is over does not replace a live one.
     */
    private boolean isStale(SyncSubscriptionCommand cmd) {
        boolean sameSubscription = cmd.stripeSubscriptionId().equals(stripeSubscriptionId);
        if (!sameSubscription && stripeSubscriptionId != null && ENTITLED.contains(status)
                && !ENTITLED.contains(cmd.status())) {
            return true;
        }
        if (syncedAt == null) {
            return false;
        }
        Instant created = cmd.stripeEvent().created();
        return created.isBefore(syncedAt)
                || (sameSubscription && created.equals(syncedAt) && cmd.stripeEvent().type().endsWith(".created"));
    }

    /**
     * Links the event's customer on first sight (a completed checkout may link a new one), or records the event as
     * rejected when the customer cannot be this tenant's and answers why.
     */
    private String bindCustomer(String id, String tenant, String customer, StripeEventRef ref,
                                UniqueKeyRegistry registry, boolean checkout) {
        String owner = customer == null ? null : registry.ownerOf(Scope.STRIPE_CUSTOMER, customer);
        String reason = customerId != null && !customerId.equals(customer) && !checkout ? CUSTOMER_MISMATCH
                : owner != null && !owner.equals(tenant) ? CUSTOMER_TAKEN : null;
        if (reason != null) {
            apply(new StripeEventRejectedEvent(id, tenant, reason, customer, customerId, ref.id(), ref.type(),
                    ref.created()));
            return reason;
        }
        if (customer != null && (checkout || !customer.equals(customerId))) {
            if (owner == null) {
                registry.claim(Scope.STRIPE_CUSTOMER, customer, tenant, id);
            }
            apply(new StripeCustomerLinkedEvent(id, tenant, customer, ref.id(), ref.created()));
        }
        return null;
    }

    @CommandHandler
    public BillingStatus handle(ReadBillingStatusCommand cmd) {
        return status();
    }

    BillingStatus status() {
        boolean inForce = plan != null && status != null && ENTITLED.contains(status);
        return new BillingStatus(inForce ? plan : PlanCatalogue.FREE, suspendedForNonPayment, failedPayments);
    }

    // --- state

    private void identify(String subscriptionId, String tenantId, String stripeEventId) {
        this.subscriptionId = subscriptionId;
        this.tenantId = tenantId;
        if (stripeEventId != null) {
            remember(appliedStripeEvents, stripeEventId);
        }
    }

    private static void remember(Set<String> set, String value) {
        set.add(value);
        if (set.size() > REMEMBERED) {
            set.remove(set.iterator().next());
        }
    }

    @EventSourcingHandler
    void on(CheckoutStartedEvent e) {
        identify(e.subscriptionId(), e.tenantId(), null);
        this.checkoutSessionId = e.checkoutSessionId();
    }

    @EventSourcingHandler
    void on(StripeCustomerLinkedEvent e) {
        identify(e.subscriptionId(), e.tenantId(), e.stripeEventId());
        this.customerId = e.customerId();
    }

    @EventSourcingHandler
    void on(SubscriptionUpdatedEvent e) {
        identify(e.subscriptionId(), e.tenantId(), e.stripeEventId());
        this.stripeSubscriptionId = e.stripeSubscriptionId();
        this.plan = e.plan();
        this.interval = e.interval();
        this.status = e.status();
        this.syncedAt = e.stripeEventCreated();
    }

    @EventSourcingHandler
    void on(TrialEndingEvent e) {
        identify(e.subscriptionId(), e.tenantId(), e.stripeEventId());
    }

    @EventSourcingHandler
    void on(PaymentSucceededEvent e) {
        identify(e.subscriptionId(), e.tenantId(), e.stripeEventId());
        remember(paidInvoices, e.invoiceId());
        this.failedPayments = e.failedPayments();
    }

    @EventSourcingHandler
    void on(PaymentFailedEvent e) {
        identify(e.subscriptionId(), e.tenantId(), e.stripeEventId());
        remember(failedAttempts, e.invoiceId() + "#" + e.attemptCount());
        this.failedPayments = e.failedPayments();
        if (lastFailureAt == null || e.stripeEventCreated().isAfter(lastFailureAt)) {
            this.lastFailureAt = e.stripeEventCreated();
        }
    }

    @EventSourcingHandler
    void on(PaymentActionRequiredEvent e) {
        identify(e.subscriptionId(), e.tenantId(), e.stripeEventId());
    }

    @EventSourcingHandler
    void on(StripeEventRejectedEvent e) {
        identify(e.subscriptionId(), e.tenantId(), e.stripeEventId());
    }

    @EventSourcingHandler
    void on(SuspendedForNonPaymentEvent e) {
        identify(e.subscriptionId(), e.tenantId(), null);
        this.suspendedForNonPayment = true;
    }

    @EventSourcingHandler
    void on(NonPaymentResolvedEvent e) {
        identify(e.subscriptionId(), e.tenantId(), null);
        this.suspendedForNonPayment = false;
    }
}
