package com.catalytic.command.tenant;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;
import static org.axonframework.modelling.command.AggregateLifecycle.createNew;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.tenant.RegisterTenantCommand;
import com.catalytic.api.tenant.TenantRegisteredEvent;
import com.catalytic.api.user.Role;
import com.catalytic.api.user.UserRegisteredEvent;
import com.catalytic.command.tenant.UniqueKeyRegistry.Scope;
import com.catalytic.command.user.Emails;
import com.catalytic.command.user.PasswordPolicy;
import com.catalytic.command.user.UserAggregate;
import java.util.HashMap;
import java.util.Map;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * The tenant: a company account. It is the consistency boundary of its membership (who holds which role), so
 * rules such as "a tenant always keeps one owner" are decided here; each user's own account is a
 * {@link UserAggregate} created together with it.
 */
@Aggregate(type = "tenant")
public class TenantAggregate {

    public static final String DEFAULT_PLAN = "free";

    @AggregateIdentifier
    private String tenantId;
    private String slug;
    private final Map<String, Role> members = new HashMap<>();

    protected TenantAggregate() {
    }

    @CommandHandler
    public TenantAggregate(RegisterTenantCommand cmd, UniqueKeyRegistry registry, PasswordEncoder passwordEncoder) {
        String email = Emails.normalize(cmd.ownerEmail());
        Emails.requireValid(email, "email");
        String name = cmd.companyName() == null ? "" : cmd.companyName().trim();
        if (name.isEmpty() || name.length() > 200) {
            throw DomainException.validation("company_name", "invalid_company_name",
                    "company_name must be 1 to 200 characters");
        }
        if (!Slugs.isValid(cmd.slug())) {
            throw DomainException.validation("company_name", "invalid_slug", "the tenant slug is not valid");
        }
        PasswordPolicy.requireAcceptable(cmd.ownerPassword(), email);
        if (!registry.claim(Scope.TENANT_SLUG, cmd.slug(), cmd.tenantId())) {
            throw DomainException.conflict("slug_taken", "a tenant with this slug already exists", "company_name");
        }
        if (!registry.claim(Scope.EMAIL, email, cmd.ownerUserId())) {
            throw DomainException.conflict("email_taken", "this e-mail address is already registered", "email");
        }
        String hash = passwordEncoder.encode(cmd.ownerPassword());
        UserRegisteredEvent owner = new UserRegisteredEvent(cmd.ownerUserId(), cmd.tenantId(), email, hash, Role.OWNER);
        // events applied in a constructor are held until it returns; creating the owner afterwards keeps the
        // stream in causal order: the tenant first, then its owner
        apply(new TenantRegisteredEvent(cmd.tenantId(), name, cmd.slug(), DEFAULT_PLAN, cmd.ownerUserId()))
                .andThen(() -> createOwner(owner));
    }

    private static void createOwner(UserRegisteredEvent owner) {
        try {
            createNew(UserAggregate.class, () -> new UserAggregate(owner));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not create the owner account", e);
        }
    }

    @EventSourcingHandler
    void on(TenantRegisteredEvent event) {
        this.tenantId = event.tenantId();
        this.slug = event.slug();
        this.members.put(event.ownerUserId(), Role.OWNER);
    }

    String slug() { return slug; }
}
