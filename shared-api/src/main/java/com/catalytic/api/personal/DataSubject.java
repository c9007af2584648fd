package com.catalytic.api.personal;

/**
 * A command an anonymous caller sends on behalf of a known user (signing in, signing up, a one-time link): the
 * request's IP address and user agent are that user's personal data, sealed under their key.
 */
public interface DataSubject {

    String dataSubjectId();
}
