package com.catalytic.projections.user;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.personal.PersonalData;
import com.catalytic.api.tenant.TenantEvents.UserDeactivatedEvent;
import com.catalytic.api.tenant.TenantEvents.UserReactivatedEvent;
import com.catalytic.api.tenant.TenantEvents.UserRemovedEvent;
import com.catalytic.api.tenant.TenantEvents.UserRoleChangedEvent;
import com.catalytic.api.user.UserMessages.InvitationAcceptedEvent;
import com.catalytic.api.user.UserMessages.InvitationIssuedEvent;
import com.catalytic.api.user.UserMessages.PasswordHashUpgradedEvent;
import com.catalytic.api.user.UserMessages.PasswordResetEvent;
import com.catalytic.api.user.UserRegisteredEvent;
import java.time.Instant;
import java.util.function.Consumer;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.stereotype.Component;

/** Builds {@code users} from the user aggregate (account) and the tenant aggregate (membership). */
@Component
@ProcessingGroup(ProcessingGroupNames.ACCOUNTS)
class UserProjection {

    private final UserRepository users;
    private final PersonalData personalData;

    public UserProjection(UserRepository users, PersonalData personalData) {
        this.users = users;
        this.personalData = personalData;
    }

    @EventHandler
    void on(UserRegisteredEvent event, @Timestamp Instant at) {
        users.save(new UserRow(event.userId(), event.tenantId(), personalData.open(event.email()), event.passwordHash(),
                event.role().wire(), at));
    }

    @EventHandler
    void on(InvitationIssuedEvent event) {
        update(event.userId(), u -> u.setInvited(true));
    }

    @EventHandler
    void on(InvitationAcceptedEvent event, @Timestamp Instant at) {
        update(event.userId(), u -> u.setPassword(event.passwordHash(), at));
    }

    @EventHandler
    void on(PasswordResetEvent event, @Timestamp Instant at) {
        update(event.userId(), u -> u.setPassword(event.passwordHash(), at));
    }

    @EventHandler
    void on(PasswordHashUpgradedEvent event, @Timestamp Instant at) {
        update(event.userId(), u -> u.setPassword(event.passwordHash(), at));
    }

    @EventHandler
    void on(UserRoleChangedEvent event, @Timestamp Instant at) {
        update(event.userId(), u -> u.setRole(event.role().wire(), at));
    }

    @EventHandler
    void on(UserDeactivatedEvent event, @Timestamp Instant at) {
        update(event.userId(), u -> {
            u.setActive(false, at);
            u.endSessions();
        });
    }

    @EventHandler
    void on(UserReactivatedEvent event, @Timestamp Instant at) {
        update(event.userId(), u -> u.setActive(true, at));
    }

    @EventHandler
    void on(UserRemovedEvent event) {
        users.deleteById(event.userId());
    }

    private void update(String userId, Consumer<UserRow> change) {
        users.findById(userId).ifPresent(u -> {
            change.accept(u);
            users.save(u);
        });
    }

    @ResetHandler
    void reset() {
        users.deleteAllInBatch();
    }
}
