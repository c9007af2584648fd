package com.catalytic.projections.access;

import java.time.Clock;
import java.time.Duration;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** The access-change feed is only read a few minutes back; rows older than a day are deleted. */
@Component
class AccessChangeJanitor {

    private final AccessChangeRepository changes;
    private final Clock clock;

    public AccessChangeJanitor(AccessChangeRepository changes, Clock clock) {
        this.changes = changes;
        this.clock = clock;
    }

    @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT5M")
    public void purge() {
        changes.deleteOlderThan(clock.instant().minus(Duration.ofDays(1)));
    }
}
