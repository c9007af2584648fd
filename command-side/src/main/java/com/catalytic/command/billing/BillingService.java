package com.catalytic.command.billing;

import com.catalytic.api.account.FindUserQuery;
import com.catalytic.api.account.UserView;
import com.catalytic.api.billing.BillingQueries.FindSubscriptionQuery;
import com.catalytic.api.billing.BillingQueries.SubscriptionView;
import com.catalytic.api.billing.SubscriptionCommands.RecordCheckoutCommand;
import com.catalytic.api.billing.SubscriptionCommands;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Role;
import com.catalytic.api.plan.Plan;
import com.catalytic.api.plan.PlanCatalogue;
import com.catalytic.command.billing.BillingConfiguration.BillingSettings;
import com.catalytic.command.billing.StripeGateway.CheckoutRequest;
import com.catalytic.command.billing.StripeGateway.Redirect;
import java.time.Clock;
import java.util.Set;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.stereotype.Service;

/** Starting a subscription (Stripe Checkout) and managing it (Stripe's Billing Portal). Owners and admins only. */
@Service
class BillingService {

    static final Set<String> INTERVALS = Set.of("month", "year");

    private final BillingSettings settings;
    private final PlanCatalogue plans;
    private final CommandGateway commands;
    private final QueryGateway queries;
    private final Clock clock;

    public BillingService(BillingSettings settings, PlanCatalogue plans, CommandGateway commands,
                          QueryGateway queries, Clock clock) {
        this.clock = clock;
        this.settings = settings;
        this.plans = plans;
        this.commands = commands;
        this.queries = queries;
    }

    public Redirect checkout(Caller caller, String planName, String interval) {
        requireBillingManager(caller);
        Plan plan = planName == null ? null : plans.find(planName).orElse(null);
        if (plan == null || plan.priceMonthly() <= 0) {
            throw DomainException.validation("plan", "invalid_plan", "plan must be one of the paid plans: "
                    + String.join(", ", plans.all().stream().filter(p -> p.priceMonthly() > 0).map(Plan::name)
                    .toList()));
        }
        if (interval == null || !INTERVALS.contains(interval)) {
            throw DomainException.validation("interval", "invalid_interval", "interval must be month or year");
        }
        StripeGateway stripe = gateway();
        SubscriptionView current = subscription(caller.tenantId());
        if (current != null && current.status() != null && SubscriptionAggregate.ENTITLED.contains(current.status())) {
            throw DomainException.conflict("already_subscribed", "the tenant already has a " + current.status()
                    + " subscription; change or cancel it in the billing portal (POST /api/subscription/portal)", "plan");
        }
        String customer = current == null ? null : current.stripeCustomerId();
        boolean hadSubscription = current != null && current.stripeSubscriptionId() != null;
        String email = customer != null ? null : callerEmail(caller);
        Redirect session = stripe.createCheckout(new CheckoutRequest(caller.tenantId(), plan.name(), interval,
                plan.name() + "_" + interval, customer, email,
                hadSubscription || plan.trialDays() <= 0 ? null : (long) plan.trialDays(),
                settings.frontendUrl() + "/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}",
                settings.frontendUrl() + "/billing?checkout=canceled",
                // one session per tenant, plan and interval in a 10-minute window
                "checkout-" + caller.tenantId() + "-" + plan.name() + "-" + interval + "-"
                        + clock.instant().getEpochSecond() / 600));
        commands.sendAndWait(new RecordCheckoutCommand(SubscriptionCommands.subscriptionIdFor(caller.tenantId()),
                caller.tenantId(), session.id(), plan.name(), interval, Actor.of(caller)));
        return session;
    }

    public Redirect portal(Caller caller) {
        requireBillingManager(caller);
        StripeGateway stripe = gateway();
        SubscriptionView current = subscription(caller.tenantId());
        if (current == null || current.stripeCustomerId() == null) {
            throw DomainException.conflict("no_billing_account",
                    "the tenant has no billing account yet; subscribe first (POST /api/subscription/checkout)", null);
        }
        return stripe.createPortal(current.stripeCustomerId(), settings.frontendUrl() + "/billing");
    }

    private StripeGateway gateway() {
        if (settings.stripe() == null) {
            throw new DomainException(DomainException.Kind.UNAVAILABLE, "billing_not_configured",
                    "billing is not configured on this installation");
        }
        return settings.stripe();
    }

    private static void requireBillingManager(Caller caller) {
        if (caller.isApiKey() || !caller.hasRole(Role.ADMIN)) {
            throw DomainException.forbidden("forbidden", "billing is managed by a signed-in owner or admin");
        }
    }

    private SubscriptionView subscription(String tenantId) {
        return queries.query(new FindSubscriptionQuery(tenantId), ResponseTypes.instanceOf(SubscriptionView.class))
                .join();
    }

    private String callerEmail(Caller caller) {
        UserView user = queries.query(new FindUserQuery(caller.tenantId(), caller.userId()),
                ResponseTypes.instanceOf(UserView.class)).join();
        return user == null ? null : user.email();
    }
}
