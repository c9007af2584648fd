package com.catalytic.query.session;

import com.catalytic.api.account.AccountQueries.ListOpenSessionsQuery;
import com.catalytic.api.account.AccountQueries.OpenSessions;
import com.catalytic.api.auth.IsSessionRevokedQuery;
import com.catalytic.projections.session.SessionRepository;
import com.catalytic.projections.session.SessionRow;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

@Component
@Transactional(readOnly = true)
class SessionQueryHandlers {

    private final SessionRepository sessions;

    public SessionQueryHandlers(SessionRepository sessions) {
        this.sessions = sessions;
    }

    /** Unknown sessions count as revoked: a token whose session the database does not know is not honoured. */
    @QueryHandler
    public Boolean handle(IsSessionRevokedQuery query) {
        return sessions.findById(query.sessionId()).map(s -> s.getRevokedAt() != null).orElse(true);
    }

    @QueryHandler
    public OpenSessions handle(ListOpenSessionsQuery query) {
        return new OpenSessions(sessions.findByUserIdAndRevokedAtIsNull(query.userId()).stream().map(SessionRow::getId)
                .toList());
    }
}
