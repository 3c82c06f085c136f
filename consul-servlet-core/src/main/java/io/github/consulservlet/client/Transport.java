package io.github.consulservlet.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulUnreachableException;

/**
 * Sends {@link Request}s on one asynchronous HttpClient: one bounded connection pool and one
 * I/O thread, however many calls and blocking queries are in flight. A call goes to the agent
 * that last answered; when an agent refuses the connection (or cannot be reached in the connect
 * timeout) the call moves to the next one in the configured order, which is safe because nothing
 * was sent. The ACL token travels only in the {@code X-Consul-Token} header.
 */
final class Transport implements AutoCloseable {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulClient.class.getName());
    private static final String TOKEN_HEADER = "X-Consul-Token";

    private final List<URI> agents;
    private final AtomicInteger preferredAgent = new AtomicInteger();
    private final String token;
    private final Duration readTimeout;
    private final CloseableHttpAsyncClient http;
    private final Set<CompletableFuture<Response>> inFlight = ConcurrentHashMap.newKeySet();
    private final BlockingBudget blockingBudget;
    private volatile boolean closed;

    Transport(List<URI> agents, String token, SSLContext sslContext, boolean verifyHostname,
            Duration connectTimeout, Duration readTimeout, int maxConnections, ThreadFactory threads) {
        this.agents = List.copyOf(agents);
        this.token = token;
        this.readTimeout = readTimeout;
        this.blockingBudget = new BlockingBudget(BlockingBudget.forPool(maxConnections));
        ClientTlsStrategyBuilder tls = ClientTlsStrategyBuilder.create().setSslContext(sslContext);
        if (!verifyHostname) {
            tls.setHostVerificationPolicy(HostnameVerificationPolicy.CLIENT)
                    .setHostnameVerifier(NoopHostnameVerifier.INSTANCE);
        }
        this.http = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setTlsStrategy(tls.buildAsync())
                        .setMaxConnTotal(maxConnections)
                        .setMaxConnPerRoute(maxConnections)
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
        http.start();
    }

    /**
     * Sends {@code request}; the future completes with the answer, whatever its status, or
     * exceptionally with a {@link ConsulUnreachableException}. Cancelling the future cancels
     * the exchange. A blocking query first waits (without a thread) for a place in the blocking
     * budget, so that watches never take the connections that ordinary calls need.
     */
    CompletableFuture<Response> send(Request request) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(closedError(request));
            return result;
        }
        List<Future<SimpleHttpResponse>> attempts = new CopyOnWriteArrayList<>();
        inFlight.add(result);
        result.whenComplete((response, error) -> {
            inFlight.remove(result);
            if (error != null) {
                attempts.forEach(attempt -> attempt.cancel(true));
            }
        });
        Runnable start = () -> attempt(request, preferredAgent.get(), 0, new ArrayList<>(), result, attempts);
        if (request.responseTimeout == null) {
            start.run();
        } else {
            blockingBudget.run(start, result);
        }
        if (closed) {
            result.completeExceptionally(closedError(request));
        }
        return result;
    }

    /** Sends {@code request} and waits for its answer. */
    Response call(Request request) {
        CompletableFuture<Response> future = send(request);
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ConsulUnreachableException(request + " was interrupted", e);
        } catch (ExecutionException e) {
            throw asConsulException(e.getCause(), request);
        }
    }

    private void attempt(Request request, int agentIndex, int tries, List<String> failures,
            CompletableFuture<Response> result, List<Future<SimpleHttpResponse>> attempts) {
        if (result.isDone()) {
            return;
        }
        URI agent = agents.get(agentIndex);
        Duration timeout = request.responseTimeout != null ? request.responseTimeout : readTimeout;
        SimpleHttpRequest http = SimpleHttpRequest.create(request.method, request.uriAt(agent));
        http.setConfig(RequestConfig.custom()
                .setResponseTimeout(Timeout.of(timeout))
                .setConnectionRequestTimeout(Timeout.of(timeout))
                .build());
        if (token != null) {
            http.setHeader(TOKEN_HEADER, token);
        }
        if (request.body != null) {
            http.setBody(request.body, ContentType.parse(request.contentType));
        }
        FutureCallback<SimpleHttpResponse> callback = new FutureCallback<>() {
            @Override
            public void completed(SimpleHttpResponse answer) {
                preferredAgent.set(agentIndex);
                result.complete(new Response(request, answer.getCode(), answer.getBodyBytes(),
                        index(answer.getFirstHeader("X-Consul-Index"))));
            }

            @Override
            public void failed(Exception error) {
                failures.add(agent + ": " + describe(error, timeout));
                if (isConnectFailure(error) && tries + 1 < agents.size() && !closed && !result.isDone()) {
                    LOG.log(System.Logger.Level.DEBUG, () -> request + ": " + agent + " unreachable, trying the next agent");
                    attempt(request, (agentIndex + 1) % agents.size(), tries + 1, failures, result, attempts);
                } else {
                    result.completeExceptionally(new ConsulUnreachableException(
                            request + " got no answer (" + String.join("; ", failures) + ")", error));
                }
            }

            @Override
            public void cancelled() {
                result.completeExceptionally(closed ? closedError(request)
                        : new ConsulUnreachableException(request + " was cancelled", null));
            }
        };
        try {
            // Each attempt keeps its own future: a failover may start the next one inside execute().
            Future<SimpleHttpResponse> sent = this.http.execute(http, callback);
            attempts.add(sent);
            if (result.isCompletedExceptionally()) { // cancelled or closed while this attempt was being set up
                sent.cancel(true);
            }
        } catch (RuntimeException e) { // HttpClient refuses synchronously once it is closed
            result.completeExceptionally(closed ? closedError(request) : asConsulException(e, request));
        }
    }

    private static long index(Header header) {
        if (header == null) {
            return 0;
        }
        try {
            return Long.parseLong(header.getValue().strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean isConnectFailure(Throwable error) {
        return error instanceof ConnectException || error instanceof ConnectTimeoutException
                || error instanceof NoRouteToHostException || error instanceof UnknownHostException;
    }

    private static String describe(Throwable error, Duration timeout) {
        if (error instanceof SocketTimeoutException) {
            return "no answer within " + timeout.toMillis() + " ms";
        }
        if (error instanceof ConnectTimeoutException) {
            return "connect timed out";
        }
        String message = error.getMessage();
        return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    static ConsulException asConsulException(Throwable error, Object what) {
        if (error instanceof ConsulException consul) {
            return consul;
        }
        if (error instanceof CancellationException) {
            return new ConsulUnreachableException(what + " was cancelled", error);
        }
        if (error instanceof IOException) {
            return new ConsulUnreachableException(what + " failed: " + error, error);
        }
        return new ConsulUnreachableException(what + " failed unexpectedly: " + error, error);
    }

    private static ConsulUnreachableException closedError(Request request) {
        return new ConsulUnreachableException(request + " cancelled: the Consul client is closed", null);
    }

    /** Cancels every call in flight, then stops the I/O thread. */
    @Override
    public void close() {
        closed = true;
        for (CompletableFuture<Response> call : List.copyOf(inFlight)) {
            call.completeExceptionally(new ConsulUnreachableException("cancelled: the Consul client is closed", null));
        }
        http.close(CloseMode.IMMEDIATE);
    }
}
