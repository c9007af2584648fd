package com.catalytic.command.uniqueness;

/**
 * Set-based validation for the write side: a value (an e-mail, a tenant slug) can be claimed by one owner only.
 * Claims happen inside the command's transaction, so a rejected command leaves no claim behind.
 */
public interface UniqueKeyRegistry {

    enum Scope { EMAIL, TENANT_SLUG, STRIPE_CUSTOMER }

    /** Claims the value for the owner; false when someone else holds it already. */
    boolean claim(Scope scope, String value, String ownerId);

    boolean isClaimed(Scope scope, String value);

    /** The owner holding the value, or null when nobody does. */
    String ownerOf(Scope scope, String value);

    /** Gives a value back (e.g. when a user is removed or changes e-mail). */
    void release(Scope scope, String value, String ownerId);
}
