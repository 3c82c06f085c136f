package io.github.consulservlet.internal.client.transport;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.NoHttpResponseException;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulResponseException;
import io.github.consulservlet.ConsulUnreachableException;
import io.github.consulservlet.internal.client.watch.BlockingBudget;

/**
 * Sends {@link Request}s on two HttpClients sharing one configuration ({@link TransportClients}).
 * {@link #call} runs on the caller's own thread with the classic (blocking) client: handing each
 * call to an I/O thread and back cost about a quarter of the throughput of an uncached read, and
 * the classic client starts no thread. {@link #send} (blocking queries, and calls nobody waits
 * for) uses the asynchronous client: one I/O thread however many watches are in flight. Each
 * client has its own connection pool; the two together hold at most {@code maxConnections}.
 * Which agent each attempt goes to, and its deadline, are {@link AgentFailover}'s; the mapping of
 * requests and answers is {@link Exchanges}'. The ACL token travels only in the
 * {@code X-Consul-Token} header.
 *
 * <p>Hostile or broken answers end their own call only: each body is read within a
 * {@link BodyLimit} as it streams in (decoded), each attempt has a total deadline of the
 * connect timeout plus its read timeout however slowly the bytes come, and an answer cut short
 * after its status line is a {@link ConsulResponseException} with that status. Owns the calls
 * in flight, which {@link #close()} cancels; made and closed by the {@code ConsulClient}.
 */
public final class Transport implements AutoCloseable {
    private final boolean strictAnswers;
    private final AgentFailover failover;
    private final Exchanges exchanges;
    private final Supplier<TransportClients> makeClients;
    /**
     * Made at the first exchange, not with the client: their classes (most of the extension's)
     * and their I/O thread would otherwise cost a container's start-up, while a webapp's
     * registration waits for the container to have started anyway.
     */
    private volatile TransportClients clients;
    /** What {@link #close()} cancels: the futures of {@link #send} and the exchanges of {@link #call}. */
    private final Set<Cancellable> inFlight = ConcurrentHashMap.newKeySet();
    private final BlockingBudget blockingBudget;
    private volatile boolean closed;

    /** @param sslContext the agents' TLS, or null when they are all {@code http} */
    public Transport(List<URI> agents, String token, SSLContext sslContext, boolean verifyHostname,
            Duration connectTimeout, Duration readTimeout, int maxConnections, ThreadFactory threads,
            long maxResponseBytes, long maxBulkResponseBytes, boolean strictAnswers, ScheduledExecutorService timer) {
        this.strictAnswers = strictAnswers;
        this.failover = new AgentFailover(agents, connectTimeout, readTimeout, timer, () -> closed);
        this.exchanges = new Exchanges(token, maxResponseBytes, maxBulkResponseBytes, () -> closed);
        int forWatches = BlockingBudget.forPool(maxConnections);
        this.blockingBudget = new BlockingBudget(forWatches);
        this.makeClients = () -> new TransportClients(sslContext, verifyHostname, connectTimeout, maxConnections,
                forWatches, threads);
    }

    private TransportClients clients() {
        TransportClients made = clients;
        if (made == null) {
            synchronized (this) {
                made = clients;
                if (made == null) {
                    if (closed) {
                        throw new IllegalStateException("the Consul client is closed");
                    }
                    made = makeClients.get();
                    clients = made;
                }
            }
        }
        return made;
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
        Runnable start = () -> attempt(request, failover.preferred(), 0, new ArrayList<>(), result, attempts);
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
        int first = failover.preferred();
        boolean resent = false;
        for (int tries = 0; ; tries++) {
            int agentIndex = failover.after(first, tries);
            URI agent = failover.agent(agentIndex);
            Duration timeout = failover.timeout(request);
            HttpUriRequestBase exchange = exchanges.classic(request, agent, timeout);
            AtomicBoolean expired = new AtomicBoolean();
            ScheduledFuture<?> deadline = start(request, exchange, timeout, expired);
            try {
                Response response = clients().blocking.execute(exchange,
                        answer -> exchanges.read(request, answer, exchange, expired));
                failover.answered(agentIndex);
                return response;
            } catch (IOException | RuntimeException e) {
                throwIfFinal(request, agent, timeout, expired, e);
                if (e instanceof NoHttpResponseException && !resent) {
                    // A pooled connection the agent closed since its last use (the pool checks only
                    // those idle for 2 s): the agent read nothing, so the call goes once more, on
                    // a new connection, as the asynchronous client, which sees the close, would.
                    resent = true;
                    tries--;
                    continue;
                }
                if (!failover.failOver(request, agent, tries, failures, e, timeout)) {
                    throw AgentFailover.noAnswer(request, failures, e);
                }
            } finally {
                AgentFailover.stop(deadline);
                inFlight.remove(exchange);
            }
        }
    }

    /**
     * Makes {@code exchange} one of the calls in flight, with its deadline, which cancels it and
     * sets {@code expired}; throws when the client is closed or the caller interrupted.
     */
    private ScheduledFuture<?> start(Request request, HttpUriRequestBase exchange, Duration timeout,
            AtomicBoolean expired) {
        if (closed) {
            throw closedError(request);
        }
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted(request, null);
        }
        inFlight.add(exchange);
        ScheduledFuture<?> deadline = failover.deadline(timeout, () -> {
            expired.set(true);
            exchange.cancel();
        });
        if (closed) { // close() may have copied the calls in flight before this one was added
            exchange.cancel();
        }
        return deadline;
    }

    /** Throws what ends the call whatever the other agents could do: closed, interrupted, past its deadline, or answered. */
    private void throwIfFinal(Request request, URI agent, Duration timeout, AtomicBoolean expired, Exception e) {
        if (closed) {
            throw closedError(request);
        }
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted(request, e);
        }
        if (expired.get()) {
            throw failover.pastDeadline(request, agent, timeout, e);
        }
        if (e instanceof ConsulResponseException answered) {
            throw answered;
        }
    }

    private void attempt(Request request, int agentIndex, int tries, List<String> failures,
            CompletableFuture<Response> result, List<Future<Response>> attempts) {
        if (!result.isDone()) {
            new Attempt(request, agentIndex, tries, failures, result, attempts).execute();
        }
    }

    /**
     * One attempt of {@link #send} at one agent, with its deadline, and how it ends: the
     * answer, a failure of its own, or the next agent.
     */
    private final class Attempt implements FutureCallback<Response> {
        private final Request request;
        private final int agentIndex;
        private final URI agent;
        private final Duration timeout;
        private final int tries;
        private final List<String> failures;
        private final CompletableFuture<Response> result;
        private final List<Future<Response>> attempts;
        private final BoundedResponseConsumer consumer;
        private ScheduledFuture<?> deadline;

        Attempt(Request request, int agentIndex, int tries, List<String> failures, CompletableFuture<Response> result,
                List<Future<Response>> attempts) {
            this.request = request;
            this.agentIndex = agentIndex;
            this.agent = failover.agent(agentIndex);
            this.timeout = failover.timeout(request);
            this.tries = tries;
            this.failures = failures;
            this.result = result;
            this.attempts = attempts;
            this.consumer = new BoundedResponseConsumer(request, exchanges.limit(request));
        }

        void execute() {
            deadline = failover.deadline(timeout, () -> result.completeExceptionally(
                    failover.pastDeadline(request, agent, timeout, null)));
            try {
                // Each attempt keeps its own future: a failover may start the next one inside execute().
                Future<Response> sent = clients().async.execute(
                        SimpleRequestProducer.create(exchanges.async(request, agent, timeout)), consumer, this);
                attempts.add(sent);
                if (result.isCompletedExceptionally()) { // cancelled or closed while this attempt was being set up
                    sent.cancel(true);
                }
            } catch (RuntimeException e) { // HttpClient refuses synchronously once it is closed
                result.completeExceptionally(closed ? closedError(request) : asConsulException(e, request));
            }
        }

        @Override
        public void completed(Response answer) {
            AgentFailover.stop(deadline);
            failover.answered(agentIndex);
            result.complete(answer);
        }

        @Override
        public void failed(Exception error) {
            AgentFailover.stop(deadline);
            ConsulException reason = BoundedResponseConsumer.reason(error);
            if (reason == null && consumer.status() != 0 && !closed) {
                reason = Exchanges.cutShort(request, consumer.status(), error);
            }
            if (reason != null) {
                result.completeExceptionally(reason);
            } else if (!closed && !result.isDone() && failover.failOver(request, agent, tries, failures, error, timeout)) {
                attempt(request, failover.after(agentIndex, 1), tries + 1, failures, result, attempts);
            } else {
                result.completeExceptionally(AgentFailover.noAnswer(request, failures, error));
            }
        }

        @Override
        public void cancelled() {
            AgentFailover.stop(deadline);
            result.completeExceptionally(closed ? closedError(request)
                    : new ConsulUnreachableException(request + " was cancelled", null));
        }
    }

    /** The interrupt flag stays set, for the caller's caller to see. */
    private static ConsulUnreachableException interrupted(Request request, Throwable error) {
        return new ConsulUnreachableException(request + " was interrupted", error);
    }

    /** {@code error} as the {@link ConsulException} a caller of the client sees, worded with {@code what} failed. */
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
        TransportClients made;
        synchronized (this) {
            made = clients;
        }
        if (made != null) {
            made.close();
        }
    }
}
