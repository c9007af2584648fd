package com.catalytic.command.uniqueness;

/**
 * Set-based validation for the write side: a value (an e-mail, a tenant slug) can be claimed by one owner only.
 * Claims are made by a command handler: kept when the command's events are stored, given back when it fails.
 */
public interface UniqueKeyRegistry {

    enum Scope { EMAIL, TENANT_SLUG, STRIPE_CUSTOMER }

    /**
     * Claims the value for the owner; false when someone holds it already.
     *
     * @param aggregateId the aggregate whose events the command appends: they prove the claim was made
     */
    boolean claim(Scope scope, String value, String ownerId, String aggregateId);

    boolean isClaimed(Scope scope, String value);

    /** The owner holding the value, or null when nobody does. */
    String ownerOf(Scope scope, String value);

    /**
     * Gives a value back (e.g. when a user is removed), once the command's events are stored.
     *
     * @param aggregateId the aggregate whose events the command appends
     */
    void release(Scope scope, String value, String ownerId, String aggregateId);
}
