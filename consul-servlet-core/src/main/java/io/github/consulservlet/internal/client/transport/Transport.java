package io.github.consulservlet.internal.client.transport;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SchemePortResolver;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
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
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.apache.hc.core5.util.VersionInfo;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulResponseException;
import io.github.consulservlet.ConsulUnreachableException;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.agent.Agent;
import io.github.consulservlet.internal.client.watch.BlockingBudget;
import io.github.consulservlet.spi.ExtensionLog;

/**
 * Sends {@link Request}s on two HttpClients sharing one configuration. {@link #call} runs on the
 * caller's own thread with the classic (blocking) client: handing each call to an I/O thread and
 * back cost about a quarter of the throughput of an uncached read, and the classic client starts
 * no thread. {@link #send} (blocking queries, and calls nobody waits for) uses the asynchronous
 * client: one I/O thread however many watches are in flight. Each client has its own connection
 * pool; the two together hold at most {@code maxConnections}. A call goes to the agent that last answered; when an agent
 * refuses the connection (or cannot be reached in the connect timeout) the call moves to the
 * next one in the configured order, which is safe because nothing was sent. The ACL token
 * travels only in the {@code X-Consul-Token} header.
 *
 * <p>Hostile or broken answers end their own call only: each body is read within a
 * {@link BodyLimit} as it streams in (decoded), each attempt has a total deadline of the
 * connect timeout plus its read timeout however slowly the bytes come, and an answer cut short
 * after its status line is a {@link ConsulResponseException} with that status.
 */
public final class Transport implements AutoCloseable {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulClient.class.getName());
    private static final String TOKEN_HEADER = "X-Consul-Token";
    /** How long a pooled connection may stay idle before a blocking call checks that it is still open. */
    private static final TimeValue VALIDATE_AFTER_INACTIVITY = TimeValue.ofSeconds(2);

    private final List<URI> agents;
    private final AtomicInteger preferredAgent = new AtomicInteger();
    private final String token;
    private final Duration readTimeout;
    private final Duration connectTimeout;
    private final long maxResponseBytes;
    private final long maxBulkResponseBytes;
    private final boolean strictAnswers;
    /** Fires the deadlines: the client's scheduler thread. */
    private final ScheduledExecutorService timer;
    private final CloseableHttpAsyncClient http;
    private final CloseableHttpClient blocking;
    /** What {@link #close()} cancels: the futures of {@link #send} and the exchanges of {@link #call}. */
    private final Set<Cancellable> inFlight = ConcurrentHashMap.newKeySet();
    private final BlockingBudget blockingBudget;
    private volatile boolean closed;

    public Transport(List<URI> agents, String token, SSLContext sslContext, boolean verifyHostname,
            Duration connectTimeout, Duration readTimeout, int maxConnections, ThreadFactory threads,
            long maxResponseBytes, long maxBulkResponseBytes, boolean strictAnswers, ScheduledExecutorService timer) {
        this.agents = List.copyOf(agents);
        this.token = token;
        this.readTimeout = readTimeout;
        this.connectTimeout = connectTimeout;
        this.maxResponseBytes = maxResponseBytes;
        this.maxBulkResponseBytes = maxBulkResponseBytes;
        this.strictAnswers = strictAnswers;
        this.timer = timer;
        int forWatches = BlockingBudget.forPool(maxConnections);
        this.blockingBudget = new BlockingBudget(forWatches);
        // maxConnections bounds both pools together (Consul refuses more than its
        // http_max_conns_per_client from one address): the watches' budget plus one connection for
        // the other asynchronous calls (session destroys), and the rest, at least one, for calls.
        int asynchronousPool = Math.min(maxConnections, forWatches + 1);
        int synchronousPool = Math.max(1, maxConnections - asynchronousPool);
        ClientTlsStrategyBuilder tls = ClientTlsStrategyBuilder.create().setSslContext(sslContext);
        if (!verifyHostname) {
            tls.setHostVerificationPolicy(HostnameVerificationPolicy.CLIENT)
                    .setHostnameVerifier(NoopHostnameVerifier.INSTANCE);
        }
        ConnectionConfig connections = ConnectionConfig.custom()
                .setConnectTimeout(Timeout.of(connectTimeout))
                .setValidateAfterInactivity(VALIDATE_AFTER_INACTIVITY)
                .build();
        this.http = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setTlsStrategy(tls.buildAsync())
                        .setMaxConnTotal(asynchronousPool)
                        .setMaxConnPerRoute(asynchronousPool)
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
        // Both clients send the same requests: the same User-Agent, and Accept-Encoding in the
        // asynchronous client's order. The classic one gets no idle-connection evictor (a thread).
        this.blocking = HttpClients.custom()
                .setConnectionManager(new InterruptibleConnections()
                        .setTlsSocketStrategy(tls.buildClassic())
                        .setMaxConnTotal(synchronousPool)
                        .setMaxConnPerRoute(synchronousPool)
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
        http.start();
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

    /**
     * Sends {@code request}; the future completes with the answer, whatever its status, or
     * exceptionally with a {@link ConsulUnreachableException}. Cancelling the future cancels
     * the exchange. A blocking query first waits (without a thread) for a place in the blocking
     * budget, so that watches never take the connections that ordinary calls need.
     */
    public CompletableFuture<Response> send(Request request) {
        request.strict = strictAnswers;
        CompletableFuture<Response> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(closedError(request));
            return result;
        }
        List<Future<Response>> attempts = new CopyOnWriteArrayList<>();
        Cancellable onClose = () -> result.completeExceptionally(closedError(request));
        inFlight.add(onClose);
        result.whenComplete((response, error) -> {
            inFlight.remove(onClose);
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

    /**
     * Sends {@code request} from the caller's thread and waits for its answer, whatever its
     * status; throws {@link ConsulUnreachableException} when no agent answers. An interrupt of
     * the caller aborts the exchange (its connection is closed, not reused) and the call throws,
     * the interrupt flag kept; so does {@link #close()}.
     */
    public Response call(Request request) {
        request.strict = strictAnswers;
        List<String> failures = new ArrayList<>();
        int first = preferredAgent.get();
        boolean resent = false;
        for (int tries = 0; ; tries++) {
            int agentIndex = (first + tries) % agents.size();
            URI agent = agents.get(agentIndex);
            Duration timeout = timeout(request);
            HttpUriRequestBase exchange = withToken(new HttpUriRequestBase(request.method, request.uriAt(agent)));
            exchange.setConfig(config(timeout));
            if (request.body != null) {
                exchange.setEntity(new ByteArrayEntity(request.body, ContentType.parse(request.contentType)));
            }
            if (closed) {
                throw closedError(request);
            }
            if (Thread.currentThread().isInterrupted()) {
                throw interrupted(request, null);
            }
            inFlight.add(exchange);
            AtomicBoolean expired = new AtomicBoolean();
            ScheduledFuture<?> deadline = deadline(timeout, () -> {
                expired.set(true);
                exchange.cancel();
            });
            try {
                if (closed) { // close() may have copied the calls in flight before this one was added
                    exchange.cancel();
                }
                Response response = blocking.execute(exchange, answer -> read(request, answer, exchange, expired));
                preferredAgent.set(agentIndex);
                return response;
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    throw closedError(request);
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw interrupted(request, e);
                }
                if (expired.get()) {
                    throw pastDeadline(request, agent, timeout, e);
                }
                if (e instanceof ConsulResponseException answered) {
                    throw answered;
                }
                if (e instanceof NoHttpResponseException && !resent) {
                    // A pooled connection the agent closed since its last use (the pool checks only
                    // those idle for 2 s): the agent read nothing, so the call goes once more, on
                    // a new connection, as the asynchronous client, which sees the close, would.
                    resent = true;
                    tries--;
                    continue;
                }
                if (!failOver(request, agent, tries, failures, e, timeout)) {
                    throw noAnswer(request, failures, e);
                }
            } finally {
                if (deadline != null) {
                    deadline.cancel(false);
                }
                inFlight.remove(exchange);
            }
        }
    }

    /**
     * Reads an answer of the classic client within its limit. A body cut short (or over the
     * limit) closes the connection rather than draining it, and is this answer's own failure,
     * with its status; a read that fails because the call was closed, interrupted or past its
     * deadline is left for {@link #call} to report as such.
     */
    private Response read(Request request, ClassicHttpResponse answer, HttpUriRequestBase exchange,
            AtomicBoolean expired) throws IOException {
        int status = answer.getCode();
        long index = index(answer.getFirstHeader("X-Consul-Index"));
        HttpEntity entity = answer.getEntity();
        try {
            // not closed on failure: closing drains what is left, which may never end
            byte[] body = entity == null ? new byte[0]
                    : limit(request).read(entity.getContent(), entity.getContentLength(), status);
            if (body.length == 0 && delimitedByClose(answer)) {
                throw cutShort(request, status, null);
            }
            return new Response(request, status, body, index);
        } catch (IOException | RuntimeException e) {
            exchange.cancel();
            if (closed || expired.get() || Thread.currentThread().isInterrupted()) {
                throw e;
            }
            throw e instanceof ConsulResponseException answered ? answered : cutShort(request, status, e);
        }
    }

    /**
     * True for an answer that gives neither its length nor chunks, so that only the connection's
     * close ends it: an agent (Go's HTTP server) always gives one or the other, so such an answer
     * with nothing before the close is headers cut short, not an empty success.
     */
    static boolean delimitedByClose(org.apache.hc.core5.http.HttpResponse answer) {
        int status = answer.getCode();
        return status != 204 && status != 304 && !answer.containsHeader("Content-Length")
                && !answer.containsHeader("Transfer-Encoding");
    }

    private BodyLimit limit(Request request) {
        return request.bulk || request.responseTimeout != null
                ? new BodyLimit(request, maxBulkResponseBytes, BodyLimit.BULK_SETTING)
                : new BodyLimit(request, maxResponseBytes, BodyLimit.SETTING);
    }

    /** Schedules {@code expire} at the connect timeout plus {@code timeout}; null once the client is closing. */
    private ScheduledFuture<?> deadline(Duration timeout, Runnable expire) {
        try {
            return timer.schedule(expire, connectTimeout.plus(timeout).toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null; // the client is closing, and close() cancels the call
        }
    }

    private ConsulUnreachableException pastDeadline(Request request, URI agent, Duration timeout, Throwable error) {
        return new ConsulUnreachableException(request + " got no complete answer from " + agent + " within "
                + connectTimeout.plus(timeout).toMillis() + " ms (the connect timeout plus the read timeout)", error);
    }

    static ConsulResponseException cutShort(Request request, int status, Throwable error) {
        return new ConsulResponseException(status, request + " answered HTTP " + status + " but the answer was cut"
                + " short" + (error == null ? " (no length, no chunks, nothing before the connection closed)"
                : ": " + error), error);
    }

    private void attempt(Request request, int agentIndex, int tries, List<String> failures,
            CompletableFuture<Response> result, List<Future<Response>> attempts) {
        if (result.isDone()) {
            return;
        }
        URI agent = agents.get(agentIndex);
        Duration timeout = timeout(request);
        SimpleHttpRequest http = withToken(SimpleHttpRequest.create(request.method, request.uriAt(agent)));
        http.setConfig(config(timeout));
        if (request.body != null) {
            http.setBody(request.body, ContentType.parse(request.contentType));
        }
        BoundedResponseConsumer consumer = new BoundedResponseConsumer(request, limit(request));
        ScheduledFuture<?> deadline = deadline(timeout, () -> result.completeExceptionally(
                pastDeadline(request, agent, timeout, null)));
        FutureCallback<Response> callback = new FutureCallback<>() {
            @Override
            public void completed(Response answer) {
                stop(deadline);
                preferredAgent.set(agentIndex);
                result.complete(answer);
            }

            @Override
            public void failed(Exception error) {
                stop(deadline);
                ConsulException reason = BoundedResponseConsumer.reason(error);
                if (reason == null && consumer.status() != 0 && !closed) {
                    reason = cutShort(request, consumer.status(), error);
                }
                if (reason != null) {
                    result.completeExceptionally(reason);
                } else if (!closed && !result.isDone() && failOver(request, agent, tries, failures, error, timeout)) {
                    attempt(request, (agentIndex + 1) % agents.size(), tries + 1, failures, result, attempts);
                } else {
                    result.completeExceptionally(noAnswer(request, failures, error));
                }
            }

            @Override
            public void cancelled() {
                stop(deadline);
                result.completeExceptionally(closed ? closedError(request)
                        : new ConsulUnreachableException(request + " was cancelled", null));
            }
        };
        try {
            // Each attempt keeps its own future: a failover may start the next one inside execute().
            Future<Response> sent = this.http.execute(SimpleRequestProducer.create(http), consumer, callback);
            attempts.add(sent);
            if (result.isCompletedExceptionally()) { // cancelled or closed while this attempt was being set up
                sent.cancel(true);
            }
        } catch (RuntimeException e) { // HttpClient refuses synchronously once it is closed
            result.completeExceptionally(closed ? closedError(request) : asConsulException(e, request));
        }
    }

    private static void stop(ScheduledFuture<?> deadline) {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    private Duration timeout(Request request) {
        return request.responseTimeout != null ? request.responseTimeout : readTimeout;
    }

    /** The response timeout bounds the wait for a pooled connection too. */
    private static RequestConfig config(Duration timeout) {
        return RequestConfig.custom()
                .setResponseTimeout(Timeout.of(timeout))
                .setConnectionRequestTimeout(Timeout.of(timeout))
                .build();
    }

    private <T extends HttpRequest> T withToken(T http) {
        if (token != null) {
            http.setHeader(TOKEN_HEADER, token);
        }
        return http;
    }

    /**
     * Records why {@code agent} gave no answer; true when the call may move to the next agent:
     * the connection failed, so nothing was sent, and some agent is still untried.
     */
    private boolean failOver(Request request, URI agent, int tries, List<String> failures, Throwable error,
            Duration timeout) {
        failures.add(agent + ": " + describe(error, timeout));
        if (isConnectFailure(error) && tries + 1 < agents.size() && !closed) {
            LOG.log(System.Logger.Level.DEBUG, () -> request + ": " + agent + " unreachable, trying the next agent");
            return true;
        }
        return false;
    }

    private static ConsulUnreachableException noAnswer(Request request, List<String> failures, Throwable error) {
        return new ConsulUnreachableException(request + " got no answer (" + String.join("; ", failures) + ")", error);
    }

    /** The interrupt flag stays set, for the caller's caller to see. */
    private static ConsulUnreachableException interrupted(Request request, Throwable error) {
        return new ConsulUnreachableException(request + " was interrupted", error);
    }

    /** {@code X-Consul-Index}: 0 when absent, -1 when not a number of 0 or more (see {@link Response#index}). */
    static long index(Header header) {
        if (header == null) {
            return 0;
        }
        try {
            long index = Long.parseLong(header.getValue().strip());
            return index < 0 ? -1 : index;
        } catch (NumberFormatException e) {
            return -1;
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

    public static ConsulException asConsulException(Throwable error, Object what) {
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

    /** Cancels every call in flight, then stops the I/O thread and closes both pools. */
    @Override
    public void close() {
        closed = true;
        for (Cancellable call : List.copyOf(inFlight)) {
            call.cancel();
        }
        http.close(CloseMode.IMMEDIATE);
        blocking.close(CloseMode.IMMEDIATE);
    }

    /**
     * The classic client's pool, whose sockets come from {@link SocketChannel}s: a blocking read
     * on one ends as soon as the reading thread is interrupted (the JDK closes the channel), so
     * an interrupted {@link #call} gives its connection back at once instead of after the read
     * timeout. HttpClient's own plain sockets ignore interrupts.
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
