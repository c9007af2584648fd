package com.catalytic.projections;

import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Transient;
import org.springframework.data.domain.Persistable;

/**
 * A read-table row whose id comes from its event. Spring Data cannot tell a new row from a stored one by such an id,
 * so it would merge every new row: one SELECT before each insert, in the command's transaction or the rebuild's
 * replay. A row made by its projection is new until it is stored or loaded, and is inserted without the look-up.
 */
@MappedSuperclass
public abstract class NewRow implements Persistable<String> {

    @Transient
    private boolean stored;

    @Override
    public boolean isNew() {
        return !stored;
    }

    @PostLoad
    @PostPersist
    void markStored() {
        stored = true;
    }
}
