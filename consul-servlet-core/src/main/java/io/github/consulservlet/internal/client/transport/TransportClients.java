package io.github.consulservlet.internal.client.transport;

import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.concurrent.ThreadFactory;
import javax.net.ssl.SSLContext;

import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SchemePortResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.entity.DeflateInputStreamFactory;
import org.apache.hc.client5.http.entity.GZIPInputStreamFactory;
import org.apache.hc.client5.http.entity.InputStreamFactory;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.io.HttpClientConnectionOperator;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.nio.ssl.TlsStrategy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.apache.hc.core5.util.VersionInfo;

import io.github.consulservlet.internal.client.watch.BlockingBudget;

/**
 * The two HttpClients a {@link Transport} sends on, built from one configuration, with their
 * connection pools: the asynchronous client (one I/O thread) for watches and calls nobody waits
 * for, the classic one for calls on the caller's thread. Owns how {@code maxConnections} is
 * shared between the pools, the TLS of both, and closing both. Made and closed by {@link Transport}.
 */
final class TransportClients implements AutoCloseable {
    /** How long a pooled connection may stay idle before a blocking call checks that it is still open. */
    private static final TimeValue VALIDATE_AFTER_INACTIVITY = TimeValue.ofSeconds(2);

    /** The asynchronous client, started. */
    final CloseableHttpAsyncClient async;
    /** The classic client. */
    final CloseableHttpClient blocking;

    /**
     * @param sslContext the agents' TLS, or null when they are all {@code http}
     * @param watchBudget how many connections the watches may hold (see {@link BlockingBudget#forPool})
     */
    TransportClients(SSLContext sslContext, boolean verifyHostname, Duration connectTimeout, int maxConnections,
            int watchBudget, ThreadFactory threads) {
        // maxConnections bounds both pools together (Consul refuses more than its
        // http_max_conns_per_client from one address): the watches' budget plus one connection for
        // the other asynchronous calls (session destroys), and the rest, at least one, for calls.
        int asynchronousPool = Math.min(maxConnections, watchBudget + 1);
        int synchronousPool = Math.max(1, maxConnections - asynchronousPool);
        TlsStrategy asyncTls = PlainAgentsOnly.INSTANCE;
        TlsSocketStrategy classicTls = PlainAgentsOnly.INSTANCE;
        if (sslContext != null) {
            ClientTlsStrategyBuilder tls = ClientTlsStrategyBuilder.create().setSslContext(sslContext);
            if (!verifyHostname) {
                tls.setHostVerificationPolicy(HostnameVerificationPolicy.CLIENT)
                        .setHostnameVerifier(NoopHostnameVerifier.INSTANCE);
            }
            asyncTls = tls.buildAsync();
            classicTls = tls.buildClassic();
        }
        this.async = async(asyncTls, connectTimeout, asynchronousPool, threads);
        this.blocking = blocking(classicTls, connectTimeout, synchronousPool);
        async.start();
    }

    private static CloseableHttpAsyncClient async(TlsStrategy tls, Duration connectTimeout, int pool,
            ThreadFactory threads) {
        return HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setTlsStrategy(tls)
                        .setMaxConnTotal(pool)
                        .setMaxConnPerRoute(pool)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(connectTimeout))
                                .build())
                        .build())
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
                .setThreadFactory(threads)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .build();
    }

    /**
     * Sends the same requests as the asynchronous client: the same User-Agent, and
     * Accept-Encoding in its order. Gets no idle-connection evictor (a thread).
     */
    private static CloseableHttpClient blocking(TlsSocketStrategy tls, Duration connectTimeout, int pool) {
        ConnectionConfig connections = ConnectionConfig.custom()
                .setConnectTimeout(Timeout.of(connectTimeout))
                .setValidateAfterInactivity(VALIDATE_AFTER_INACTIVITY)
                .build();
        return HttpClients.custom()
                .setConnectionManager(new InterruptibleConnections()
                        .setTlsSocketStrategy(tls)
                        .setMaxConnTotal(pool)
                        .setMaxConnPerRoute(pool)
                        .setDefaultConnectionConfig(connections)
                        // The asynchronous client bounds a TLS handshake by the connect timeout.
                        .setDefaultTlsConfig(TlsConfig.custom().setHandshakeTimeout(Timeout.of(connectTimeout)).build())
                        .build())
                .setUserAgent(VersionInfo.getSoftwareInfo("Apache-HttpAsyncClient", "org.apache.hc.client5",
                        HttpAsyncClientBuilder.class))
                .setContentDecoderRegistry(decoders())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .build();
    }

    /** The codings the asynchronous client accepts, in its order: gzip, x-gzip, deflate. */
    @SuppressWarnings("deprecation") // HttpClient 5.6 deprecates these factories, yet its clients still take them as content decoders
    private static LinkedHashMap<String, InputStreamFactory> decoders() {
        LinkedHashMap<String, InputStreamFactory> decoders = new LinkedHashMap<>();
        decoders.put("gzip", GZIPInputStreamFactory.getInstance());
        decoders.put("x-gzip", GZIPInputStreamFactory.getInstance());
        decoders.put("deflate", DeflateInputStreamFactory.getInstance());
        return decoders;
    }

    /** Stops the I/O thread and closes both pools, with what is still in flight. */
    @Override
    public void close() {
        async.close(CloseMode.IMMEDIATE);
        blocking.close(CloseMode.IMMEDIATE);
    }

    /**
     * The classic client's pool, whose sockets come from {@link SocketChannel}s: a blocking read
     * on one ends as soon as the reading thread is interrupted (the JDK closes the channel), so
     * an interrupted {@link Transport#call} gives its connection back at once instead of after
     * the read timeout. HttpClient's own plain sockets ignore interrupts.
     */
    private static final class InterruptibleConnections extends PoolingHttpClientConnectionManagerBuilder {
        @Override
        protected HttpClientConnectionOperator createConnectionOperator(SchemePortResolver ports, DnsResolver dns,
                TlsSocketStrategy tls) {
            return new DefaultHttpClientConnectionOperator(proxy -> SocketChannel.open().socket(), ports, dns,
                    RegistryBuilder.<TlsSocketStrategy>create().register(URIScheme.HTTPS.id, tls).build());
        }
    }
}
