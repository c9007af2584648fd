package com.catalytic.infrastructure.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.catalytic.api.error.DomainException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookTargetsTest {

    /** A resolver that knows a few names, so the tests need no DNS. */
    static final WebhookTargets.Resolver NAMES = host -> {
        Map<String, String> known = Map.of("hooks.example.com", "93.184.215.14",
                "rebind.example.com", "127.0.0.1", "meta.example.com", "169.254.169.254",
                "v6.example.com", "2606:4700::6810:84e5");
        String ip = known.getOrDefault(host, host.matches("[0-9a-fA-F:.]+") ? host : null);
        if (ip == null) {
            throw new UnknownHostException(host);
        }
        return new InetAddress[] {InetAddress.getByName(ip)};
    };

    final WebhookTargets guarded = new WebhookTargets(false, false, NAMES);

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
            "169.254.169.254", "169.254.0.1", "100.64.0.1", "100.127.255.254", "0.0.0.0", "224.0.0.1",
            "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1", "198.51.100.7",
            "203.0.113.9", "::1", "::", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
            "::127.0.0.1", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1", "2001:db8::1", "64:ff9b::a00:1",
            "2002:7f00:1::1", "fec0::1", "100::1", "2001::1"})
    void internalAddressesAreNotPublic(String ip) throws Exception {
        assertThat(WebhookTargets.isPublic(InetAddress.getByName(ip))).as(ip).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.215.14", "8.8.8.8", "1.1.1.1", "172.15.0.1", "172.32.0.1", "100.63.0.1",
            "100.128.0.1", "169.253.0.1", "192.169.0.1", "2606:4700::6810:84e5", "2a00:1450:4001:82b::200e",
            "::ffff:8.8.8.8", "64:ff9b::808:808"})
    void publicAddressesArePublic(String ip) throws Exception {
        assertThat(WebhookTargets.isPublic(InetAddress.getByName(ip))).as(ip).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1/hook", "http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data",
            "http://[::1]:8080/hook", "http://[::ffff:127.0.0.1]/hook", "http://rebind.example.com/hook",
            "https://meta.example.com/", "http://2130706433/", "http://0x7f000001/", "http://127.1/"})
    void internalTargetsAreRefused(String url) {
        assertThatThrownBy(() -> guarded.check(url)).as(url).isInstanceOfSatisfying(DomainException.class,
                e -> assertThat(e.code()).isIn("target_not_allowed", "target_unresolvable", "invalid_url"));
    }

    @Test
    void namesAndLiteralsOfPublicAddressesPassAndTheCheckedAddressIsKept() throws Exception {
        WebhookTargets.Target t = guarded.check("https://hooks.example.com/in?x=1");
        assertThat(t.address()).isEqualTo(InetAddress.getByName("93.184.215.14"));
        assertThat(t.uri().getHost()).isEqualTo("hooks.example.com");
        assertThat(guarded.check("http://[2606:4700::6810:84e5]:8443/x").address())
                .isEqualTo(InetAddress.getByName("2606:4700::6810:84e5"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://hooks.example.com/", "file:///etc/passwd", "gopher://hooks.example.com/",
            "hooks.example.com/in", "https://user:pw@hooks.example.com/", "https:///nohost", "https://hooks.example.com/#f",
            "not a url", ""})
    void onlyPlainHttpUrlsAreAccepted(String url) {
        assertThatThrownBy(() -> guarded.check(url)).as(url).isInstanceOfSatisfying(DomainException.class,
                e -> {
                    assertThat(e.code()).isEqualTo("invalid_url");
                    assertThat(e.field()).isEqualTo("url");
                });
    }

    @Test
    void productionRequiresHttps() {
        WebhookTargets production = new WebhookTargets(false, true, NAMES);
        assertThatThrownBy(() -> production.check("http://hooks.example.com/in"))
                .isInstanceOfSatisfying(DomainException.class, e -> assertThat(e.code()).isEqualTo("https_required"));
        assertThat(production.check("https://hooks.example.com/in").uri().getScheme()).isEqualTo("https");
    }

    @Test
    void allowingPrivateTargetsLiftsTheAddressRuleOnly() {
        WebhookTargets open = new WebhookTargets(true, false, NAMES);
        assertThat(open.check("http://127.0.0.1:9/hook").address().isLoopbackAddress()).isTrue();
        assertThatThrownBy(() -> open.check("ftp://127.0.0.1/")).isInstanceOf(DomainException.class);
        assertThatThrownBy(() -> open.check("http://unknown.invalid/"))
                .isInstanceOfSatisfying(DomainException.class, e -> assertThat(e.code()).isEqualTo("target_unresolvable"));
    }
}
