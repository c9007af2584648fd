package com.catalytic.api.account;

/** Token refresh support: the credentials on record for a user, or null. */
public record FindCredentialsByUserQuery(String userId) {
}
