package com.catalytic.api.personal;

import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.TenantScoped;
import org.axonframework.modelling.command.TargetAggregateIdentifier;
import org.axonframework.serialization.Revision;

/** Erasure of a data subject's personal data (GDPR article 17), a change of the tenant the user belonged to. */
public final class PersonalDataMessages {

    private PersonalDataMessages() {
    }

    /** Removes the user from the tenant when still a member, then erases their personal data. */
    public record ErasePersonalDataCommand(@TargetAggregateIdentifier String tenantId, String userId, Actor actor)
            implements TenantScoped {
    }

    /**
     * The user's key is destroyed: every value sealed under it reads as erased. {@code email} is the address as
     * sealed (unreadable once this event is stored), so the holders of copies outside the events can find them.
     */
    @Revision("1")
    public record PersonalDataErasedEvent(String tenantId, String userId, String email) implements TenantScoped {
    }
}
