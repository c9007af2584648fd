package com.catalytic.infrastructure.webhook;

import com.catalytic.infrastructure.webhook.WebhookTargets.Target;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.io.ModalCloseable;
import org.apache.hc.core5.util.Timeout;

/**
 * Sends one delivery over HTTP to the address the SSRF guard checked for this attempt: the connection never looks
 * the host name up again (a lookup would fail: the resolver refuses every name), while the Host header and TLS
 * (SNI, certificate) use the name. 15 s to connect and 15 s for the answer, redirects not followed, no retries of
 * its own; only the first 4 KiB of the answer are read.
 */
public final class WebhookSender implements AutoCloseable {

    public static final int MAX_BODY_BYTES = 4096;

    /** What came back: status 0 with an error when there was no answer. */
    public record Answer(int status, String body, String retryAfter, String error, long latencyMillis) {
    }

    private final CloseableHttpClient client;
    private final Duration timeout;

    public WebhookSender(Duration timeout) {
        this.timeout = timeout;
        Timeout t = Timeout.of(timeout.toMillis(), TimeUnit.MILLISECONDS);
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(new SystemDefaultDnsResolver() {
                            @Override
                            public InetAddress[] resolve(String host) throws UnknownHostException {
                                throw new UnknownHostException("webhook deliveries connect to checked addresses only");
                            }
                        })
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(t).setSocketTimeout(t)
                                .build())
                        .setMaxConnTotal(64).setMaxConnPerRoute(4)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(t)
                        .setConnectionRequestTimeout(t).setRedirectsEnabled(false).build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .setUserAgent("Catalytic-Webhooks/1")
                .build();
    }

    public Answer send(Target target, Map<String, String> headers, String body) {
        URI uri = target.uri();
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        String name = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        HttpHost host = new HttpHost(scheme, target.address(), name, port);
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        BasicClassicHttpRequest request = new BasicClassicHttpRequest("POST", host, path);
        headers.forEach(request::setHeader);
        request.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
        long started = System.nanoTime();
        try (ClassicHttpResponse response = client.executeOpen(host, request, null)) {
            int status = response.getCode();
            String text = "";
            if (response.getEntity() != null) {
                InputStream in = response.getEntity().getContent();
                text = new String(in.readNBytes(MAX_BODY_BYTES), StandardCharsets.UTF_8);
                if (in.read() != -1 && response instanceof ModalCloseable m) {
                    m.close(CloseMode.IMMEDIATE); // the rest of a long answer is not read: the connection goes
                } else {
                    in.close(); // read to its end: the connection is kept for the next delivery
                }
            }
            Header retryAfter = response.getFirstHeader("Retry-After");
            long latency = (System.nanoTime() - started) / 1_000_000;
            return new Answer(status, text, retryAfter == null ? null : retryAfter.getValue(), null, latency);
        } catch (IOException | RuntimeException e) {
            long latency = (System.nanoTime() - started) / 1_000_000;
            String error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            return new Answer(0, null, null, error.length() > 1000 ? error.substring(0, 1000) : error, latency);
        }
    }

    @Override
    public void close() {
        client.close(CloseMode.GRACEFUL);
    }
}
