package com.catalytic.command.user;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import com.catalytic.api.user.Role;
import com.catalytic.api.user.UserRegisteredEvent;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

/** A person's account within one tenant: e-mail, password hash, role. Created by its tenant. */
@Aggregate(type = "user")
public class UserAggregate {

    @AggregateIdentifier
    private String userId;
    private String tenantId;
    private String email;
    private Role role;

    protected UserAggregate() {
    }

    /** Used by the tenant through {@code createNew}, inside the tenant's command. */
    public UserAggregate(UserRegisteredEvent registered) {
        apply(registered);
    }

    @EventSourcingHandler
    void on(UserRegisteredEvent event) {
        this.userId = event.userId();
        this.tenantId = event.tenantId();
        this.email = event.email();
        this.role = event.role();
    }
}
