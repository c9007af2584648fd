package com.catalytic.projections.user;

import com.catalytic.api.user.UserRegisteredEvent;
import com.catalytic.projections.tenant.TenantProjection;
import java.time.Instant;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.stereotype.Component;

/** Builds {@code users}. */
@Component
@ProcessingGroup(TenantProjection.GROUP)
public class UserProjection {

    private final UserRepository users;

    public UserProjection(UserRepository users) {
        this.users = users;
    }

    @EventHandler
    void on(UserRegisteredEvent event, @Timestamp Instant at) {
        users.save(new UserRow(event.userId(), event.tenantId(), event.email(), event.passwordHash(),
                event.role().wire(), at));
    }

    @ResetHandler
    void reset() {
        users.deleteAllInBatch();
    }
}
