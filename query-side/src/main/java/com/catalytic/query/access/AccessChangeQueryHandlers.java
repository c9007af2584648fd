package com.catalytic.query.access;

import com.catalytic.api.account.AccountQueries.AccessChange;
import com.catalytic.api.account.AccountQueries.AccessChangesSinceQuery;
import com.catalytic.projections.access.AccessChangeRepository;
import java.util.List;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

@Component
@Transactional(readOnly = true)
class AccessChangeQueryHandlers {

    private final AccessChangeRepository changes;

    public AccessChangeQueryHandlers(AccessChangeRepository changes) {
        this.changes = changes;
    }

    @QueryHandler
    public List<AccessChange> handle(AccessChangesSinceQuery query) {
        return changes.findByChangedAtGreaterThanEqualOrderBySeqAsc(query.since()).stream()
                .map(c -> new AccessChange(c.getSeq(), c.getKind(), c.getSubjectId()))
                .toList();
    }
}
