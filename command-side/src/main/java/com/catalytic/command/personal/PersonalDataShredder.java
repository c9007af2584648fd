package com.catalytic.command.personal;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.personal.PersonalData;
import com.catalytic.api.personal.PersonalDataMessages.PersonalDataErasedEvent;
import com.catalytic.infrastructure.personal.PersonalDataCopies;
import java.util.List;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.stereotype.Component;

/**
 * Carries out an erasure in the transaction that stores it: the plain copies outside the events (outboxes, replay
 * caches) forget the subject's address first, while it can still be opened; then the subject's key is destroyed.
 */
@Component
@ProcessingGroup(ProcessingGroupNames.PERSONAL_DATA)
class PersonalDataShredder {

    private final PersonalData personalData;
    private final List<PersonalDataCopies> copies;

    PersonalDataShredder(PersonalData personalData, List<PersonalDataCopies> copies) {
        this.personalData = personalData;
        this.copies = copies;
    }

    @EventHandler
    void on(PersonalDataErasedEvent event) {
        String address = personalData.open(event.email());
        if (address != null && !PersonalData.ERASED.equals(address)) {
            copies.forEach(c -> c.eraseSubject(event.tenantId(), event.userId(), address));
        }
        personalData.erase(event.userId());
    }
}
