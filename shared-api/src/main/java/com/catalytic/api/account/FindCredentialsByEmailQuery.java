package com.catalytic.api.account;

/** Login support: the credentials on record for a normalised e-mail, or null. */
public record FindCredentialsByEmailQuery(String email) {
}
