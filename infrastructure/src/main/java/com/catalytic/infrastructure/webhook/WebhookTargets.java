package com.catalytic.infrastructure.webhook;

import com.catalytic.api.error.DomainException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Where a webhook may send: http(s) URLs (HTTPS only in production) whose host resolves only to public addresses.
 * Private, loopback, link-local (cloud metadata), CGNAT, multicast, reserved and documentation ranges are refused,
 * for IPv4 and IPv6 alike, including IPv4 addresses embedded in IPv6 ones (mapped, compatible, NAT64, 6to4). Checked
 * when a webhook is saved and again before every delivery, which connects to the very address checked here, so a
 * name that resolves elsewhere later (DNS rebinding) gains nothing. {@code allowPrivate} lifts the address rule
 * (tests, private installations); the scheme rule stays.
 */
public final class WebhookTargets {

    public static final int MAX_URL_LENGTH = 2048;

    /** Resolves a host name to its addresses (the system resolver, or a test's). */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** A target that passed: the URL and the address to connect to. */
    public record Target(URI uri, InetAddress address) {
    }

    private final boolean allowPrivate;
    private final boolean requireHttps;
    private final Resolver resolver;

    public WebhookTargets(boolean allowPrivate, boolean requireHttps, Resolver resolver) {
        this.allowPrivate = allowPrivate;
        this.requireHttps = requireHttps;
        this.resolver = resolver;
    }

    public boolean allowsPrivate() {
        return allowPrivate;
    }

    /** The URL checked as written, without resolving its host (422 problems naming {@code url}). */
    public URI parse(String url) {
        if (url == null || url.isBlank() || url.length() > MAX_URL_LENGTH) {
            throw invalid("url must be an absolute http(s) URL of at most " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw invalid("url is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid("url must use http or https");
        }
        if (requireHttps && !scheme.equals("https")) {
            throw DomainException.validation("url", "https_required", "webhook URLs must use https");
        }
        if (uri.getRawUserInfo() != null) {
            throw invalid("url must not carry a user name or password");
        }
        if (uri.getRawFragment() != null) {
            throw invalid("url must not have a fragment");
        }
        if (host(uri).isEmpty()) {
            throw invalid("url must name a host");
        }
        return uri;
    }

    /** The URL checked and its host resolved: every address it resolves to must be allowed. */
    public Target check(String url) {
        URI uri = parse(url);
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host(uri));
        } catch (UnknownHostException e) {
            throw DomainException.validation("url", "target_unresolvable", "the host of url does not resolve");
        }
        if (addresses == null || addresses.length == 0) {
            throw DomainException.validation("url", "target_unresolvable", "the host of url does not resolve");
        }
        if (!allowPrivate) {
            for (InetAddress a : addresses) {
                if (!isPublic(a)) {
                    throw DomainException.validation("url", "target_not_allowed", "url resolves to a private, "
                            + "loopback, link-local or otherwise internal address; webhooks go to public addresses");
                }
            }
        }
        return new Target(uri, addresses[0]);
    }

    /** The host without IPv6 brackets, lower case. */
    static String host(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            return "";
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.toLowerCase(Locale.ROOT);
    }

    /** True for a globally routable unicast address. */
    public static boolean isPublic(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return isPublicV4(b);
        }
        if (address instanceof Inet6Address) {
            return isPublicV6(b);
        }
        return false;
    }

    private static boolean isPublicV4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        if (a0 == 0 || a0 == 10 || a0 == 127) {
            return false; // "this network", private, loopback
        }
        if (a0 == 100 && a1 >= 64 && a1 <= 127) {
            return false; // CGNAT 100.64.0.0/10
        }
        if (a0 == 169 && a1 == 254) {
            return false; // link-local, cloud metadata 169.254.169.254
        }
        if (a0 == 172 && a1 >= 16 && a1 <= 31) {
            return false;
        }
        if (a0 == 192 && a1 == 168) {
            return false;
        }
        if (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2)) {
            return false; // IETF protocol assignments, TEST-NET-1
        }
        if (a0 == 192 && a1 == 88 && a2 == 99) {
            return false; // 6to4 relay anycast
        }
        if (a0 == 198 && (a1 == 18 || a1 == 19)) {
            return false; // benchmarking
        }
        if ((a0 == 198 && a1 == 51 && a2 == 100) || (a0 == 203 && a1 == 0 && a2 == 113)) {
            return false; // TEST-NET-2, TEST-NET-3
        }
        return a0 < 224; // multicast 224/4, reserved 240/4, broadcast
    }

    private static boolean isPublicV6(byte[] b) {
        boolean zeroTo10 = true;
        for (int i = 0; i < 10; i++) {
            zeroTo10 &= b[i] == 0;
        }
        if (zeroTo10 && b[10] == 0 && b[11] == 0) {
            return false; // ::, ::1 and IPv4-compatible ::a.b.c.d (deprecated)
        }
        if (zeroTo10 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return isPublicV4(new byte[] {b[12], b[13], b[14], b[15]}); // IPv4-mapped
        }
        int w0 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
        int w1 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        if (w0 == 0x0064 && w1 == 0xff9b) {
            return isPublicV4(new byte[] {b[12], b[13], b[14], b[15]}); // NAT64 64:ff9b::/96 (and /48)
        }
        if (w0 == 0x2002) {
            return isPublicV4(new byte[] {b[2], b[3], b[4], b[5]}); // 6to4
        }
        if ((w0 & 0xfe00) == 0xfc00) {
            return false; // unique local fc00::/7 (also AWS metadata fd00:ec2::254)
        }
        if ((w0 & 0xffc0) == 0xfe80 || (w0 & 0xffc0) == 0xfec0) {
            return false; // link-local, site-local
        }
        if ((w0 & 0xff00) == 0xff00) {
            return false; // multicast
        }
        if (w0 == 0x2001 && w1 == 0x0db8) {
            return false; // documentation
        }
        if (w0 == 0x2001 && w1 < 0x0200) {
            return false; // 2001::/23 IETF protocol assignments (Teredo, ORCHIDs, …)
        }
        if (w0 == 0x0100 && w1 == 0 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0) {
            return false; // discard-only 100::/64
        }
        return (w0 & 0xe000) == 0x2000; // global unicast 2000::/3 only
    }

    private static DomainException invalid(String message) {
        return DomainException.validation("url", "invalid_url", message);
    }
}
