package com.catalytic.deploy.web;

/**
 * A request path is canonical when every reader routes it the same way as written: no path parameters
 * ({@code ;}), no empty or dot segments, no backslash or control characters, and no percent-escape that hides a
 * separator, a dot, a percent sign or a character that needs no escaping. A proxy matches its rules on one reading
 * of the path and the application routes on another, so only paths on which they cannot differ are served.
 */
final class CanonicalPath {

    private static final String UNRESERVED_SYMBOLS = "-._~";
    private static final String HIDDEN_WHEN_ESCAPED = "/\\;%";

    private CanonicalPath() {
    }

    /** {@code path} as the client wrote it, without the query string (a servlet request's request URI). */
    static boolean isCanonical(String path) {
        if (path == null || !path.startsWith("/") || path.contains("//")) {
            return false;
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == ';' || c == '\\' || c < 0x20 || c == 0x7f) {
                return false;
            }
            if (c == '%') {
                int b = escaped(path, i);
                if (b < 0 || needsNoEscape(b) || HIDDEN_WHEN_ESCAPED.indexOf(b) >= 0 || b < 0x20 || b == 0x7f) {
                    return false;
                }
                i += 2;
            }
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** The byte of the escape at {@code at}, or -1 when it is not {@code %} and two hex digits. */
    private static int escaped(String path, int at) {
        if (at + 2 >= path.length()) {
            return -1;
        }
        int high = hex(path.charAt(at + 1));
        int low = hex(path.charAt(at + 2));
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    }

    /** ASCII hex digits only: Character.digit also reads other scripts' digits. */
    private static int hex(char c) {
        return c < 0x80 ? Character.digit(c, 16) : -1;
    }

    private static boolean needsNoEscape(int b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || UNRESERVED_SYMBOLS.indexOf(b) >= 0;
    }
}
