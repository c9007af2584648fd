package com.catalytic.api.account;

/** One user of one tenant; answered with a {@link UserView} or null when it is not that tenant's user. */
public record FindUserQuery(String tenantId, String userId) {
}
