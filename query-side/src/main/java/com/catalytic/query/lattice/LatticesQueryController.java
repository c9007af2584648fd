package com.catalytic.query.lattice;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Scopes;
import com.catalytic.api.lattice.LatticeQueries.FindLatticeQuery;
import com.catalytic.api.lattice.LatticeQueries.LatticeOperationPage;
import com.catalytic.api.lattice.LatticeQueries.LatticeOperationView;
import com.catalytic.api.lattice.LatticeQueries.LatticeView;
import com.catalytic.api.lattice.LatticeQueries.ListLatticeOperationsQuery;
import com.catalytic.api.lattice.LatticeQueries.ListLatticesQuery;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The tenant's lattices and their operations (read side, scope {@code lattices:read}); newest first, cursor paging. */
@RestController
class LatticesQueryController {

    private final QueryGateway queries;

    LatticesQueryController(QueryGateway queries) {
        this.queries = queries;
    }

    @GetMapping("/api/lattices")
    Map<String, Object> list(Caller caller,
                             @RequestParam(name = "limit", defaultValue = "" + PageCursor.DEFAULT_LIMIT) int limit,
                             @RequestParam(name = "cursor", required = false) String cursor) {
        caller.require(Scopes.LATTICES_READ);
        PageCursor.checkLimit(limit);
        PageCursor after = PageCursor.parse(cursor);
        List<LatticeView> page = queries.query(new ListLatticesQuery(caller.tenantId(),
                after == null ? null : after.at(), after == null ? null : after.id(), limit + 1),
                ResponseTypes.multipleInstancesOf(LatticeView.class)).join();
        return page("lattices", page, limit, l -> new PageCursor(l.createdAt(), l.id()));
    }

    @GetMapping("/api/lattices/{id}")
    LatticeView get(Caller caller, @PathVariable("id") String id) {
        caller.require(Scopes.LATTICES_READ);
        LatticeView lattice = queries.query(new FindLatticeQuery(caller.tenantId(), id),
                ResponseTypes.instanceOf(LatticeView.class)).join();
        if (lattice == null) {
            throw DomainException.notFound("lattice");
        }
        return lattice;
    }

    @GetMapping("/api/lattices/{id}/operations")
    Map<String, Object> operations(Caller caller, @PathVariable("id") String id,
                                   @RequestParam(name = "limit", defaultValue = "" + PageCursor.DEFAULT_LIMIT) int limit,
                                   @RequestParam(name = "cursor", required = false) String cursor) {
        caller.require(Scopes.LATTICES_READ);
        PageCursor.checkLimit(limit);
        PageCursor after = PageCursor.parse(cursor);
        LatticeOperationPage page = queries.query(new ListLatticeOperationsQuery(caller.tenantId(), id,
                after == null ? null : after.at(), after == null ? null : after.id(), limit + 1),
                ResponseTypes.instanceOf(LatticeOperationPage.class)).join();
        if (page == null) {
            throw DomainException.notFound("lattice");
        }
        return page("operations", page.operations(), limit, o -> new PageCursor(o.performedAt(), o.id()));
    }

    /** One more than {@code limit} was asked for: its presence means there is a next page. */
    private static <T> Map<String, Object> page(String name, List<T> items, int limit, Function<T, PageCursor> cursorOf) {
        String next = null;
        if (items.size() > limit) {
            items = items.subList(0, limit);
            next = cursorOf.apply(items.get(limit - 1)).encode();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(name, items);
        out.put("next_cursor", next);
        return out;
    }
}
