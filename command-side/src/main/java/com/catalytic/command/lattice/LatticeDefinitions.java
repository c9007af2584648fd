package com.catalytic.command.lattice;

import com.catalytic.api.error.DomainException;
import com.catalytic.command.lattice.engine.LatticeDefinition;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.function.BiFunction;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.modelling.command.Aggregate;
import org.axonframework.modelling.command.Repository;

/**
 * The definitions computations run on, by lattice id, loaded from the lattice's own events (its aggregate, through its
 * repository: the write side reads no read table) and kept in a cache bounded by the bytes the definitions hold.
 * A definition never changes, so an entry goes stale only by deletion: the node that deletes evicts it at once, and
 * on any other node the aggregate refuses to record an operation on a deleted lattice, which answers 404 and evicts.
 */
public class LatticeDefinitions {

    private record Entry(String tenantId, LatticeDefinition definition) {
    }

    private final BiFunction<String, String, LatticeDefinition> loader;
    private final Cache<String, Entry> cache;

    /** @param loader (tenant id, lattice id) → the definition, or 404 {@code not_found} */
    public LatticeDefinitions(BiFunction<String, String, LatticeDefinition> loader, long maxBytes) {
        this.loader = loader;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String id, Entry e) -> (int) Math.min(Integer.MAX_VALUE, e.definition().memoryBytes()))
                .build();
    }

    /** The definition held by the lattice's aggregate, read in a unit of work of its own that changes nothing. */
    public static LatticeDefinition load(Repository<LatticeAggregate> repository, String tenantId, String latticeId) {
        UnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(null);
        try {
            Aggregate<LatticeAggregate> lattice = repository.load(latticeId);
            LatticeDefinition definition = lattice.invoke(a -> a.definitionFor(tenantId));
            unitOfWork.rollback();
            return definition;
        } catch (RuntimeException e) {
            unitOfWork.rollback(e);
            throw LatticeService.isNotFound(e) ? DomainException.notFound("lattice") : e;
        }
    }

    /** The definition of {@code latticeId} for a caller of {@code tenantId}; 404 for another tenant's, or unknown. */
    public LatticeDefinition of(String tenantId, String latticeId) {
        Entry entry = cache.get(latticeId, id -> new Entry(tenantId, loader.apply(tenantId, id)));
        if (!entry.tenantId().equals(tenantId)) {
            throw DomainException.notFound("lattice");
        }
        return entry.definition();
    }

    public void evict(String latticeId) {
        cache.invalidate(latticeId);
    }

    /** Entries held now (for tests and metrics). */
    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
