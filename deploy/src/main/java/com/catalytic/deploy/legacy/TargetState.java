package com.catalytic.deploy.legacy;

import java.util.Collection;
import java.util.Set;

/** What the import must not collide with in the installation it fills. */
interface TargetState {

    /** A database with no events and no claims yet (or not created yet). */
    TargetState EMPTY = new TargetState() {
        @Override
        public Set<String> existing(Collection<String> ids) {
            return Set.of();
        }

        @Override
        public String claimOwner(String scope, String value) {
            return null;
        }
    };

    /** Those of {@code ids} that already name an event stream. */
    Set<String> existing(Collection<String> ids);

    /** Who holds a unique name of the scope ({@code EMAIL}, {@code TENANT_SLUG}); null: nobody. */
    String claimOwner(String scope, String value);
}
