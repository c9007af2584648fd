package com.catalytic.api.personal;

/**
 * Personal data (e-mail addresses, IP addresses, user agents) is stored in events sealed with a key of its data
 * subject, so that erasing the key erases the data everywhere the events went (crypto-shredding). A sealed value is
 * a string {@code pd1:<subject id>:<nonce and ciphertext, base64url>}: what is hashed, chained and copied is the
 * sealed form, which never changes, so an erasure leaves every hash as it was.
 */
public interface PersonalData {

    /** What an erased value reads as. */
    String ERASED = "[erased]";
    String PREFIX = "pd1:";

    /** The value sealed under the subject's key (made on first use); null stays null; an erased subject's: ERASED. */
    String seal(String subjectId, String value);

    /**
     * The value a sealed one stands for, or ERASED once its subject's key is gone. Anything else (null, a value
     * stored before sealing existed) is returned as it is.
     */
    String open(String value);

    /** Destroys the subject's key: everything sealed under it reads as ERASED from now on, on every node. */
    void erase(String subjectId);

    static boolean isSealed(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    /** The subject a sealed value belongs to; null for anything else. */
    static String subjectOf(String value) {
        if (!isSealed(value)) {
            return null;
        }
        int end = value.indexOf(':', PREFIX.length());
        return end < 0 ? null : value.substring(PREFIX.length(), end);
    }
}
