package com.catalytic.api.query;

/** Token refresh support: the credentials on record for a user, or null. */
public record FindCredentialsByUserQuery(String userId) {
}
