package io.github.consulservlet.internal.client.transport;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.apache.hc.client5.http.ConnectTimeoutException;

import io.github.consulservlet.ConsulUnreachableException;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.spi.ExtensionLog;

/**
 * Which agent each attempt of a call goes to, and how long it may take. A call starts at the
 * agent that last answered; when an agent refuses the connection (or cannot be reached in the
 * connect timeout) the call moves to the next one in the configured order, which is safe
 * because nothing was sent. Each attempt has a total deadline of the connect timeout plus its
 * read timeout, fired by the client's scheduler. Owns the agents, the preferred one and the
 * messages of a call no agent answered; {@link Transport} asks it at each attempt.
 */
final class AgentFailover {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulClient.class.getName());

    private final List<URI> agents;
    private final AtomicInteger preferredAgent = new AtomicInteger();
    private final Duration connectTimeout;
    private final Duration readTimeout;
    /** Fires the deadlines: the client's scheduler thread. */
    private final ScheduledExecutorService timer;
    private final BooleanSupplier closed;

    AgentFailover(List<URI> agents, Duration connectTimeout, Duration readTimeout, ScheduledExecutorService timer,
            BooleanSupplier closed) {
        this.agents = List.copyOf(agents);
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.timer = timer;
        this.closed = closed;
    }

    /** The index of the agent that answered last: where a call starts. */
    int preferred() {
        return preferredAgent.get();
    }

    /** The index of the agent {@code tries} places after {@code first}, round the list. */
    int after(int first, int tries) {
        return (first + tries) % agents.size();
    }

    URI agent(int index) {
        return agents.get(index);
    }

    /** The agent at {@code index} answered: the next calls start there. */
    void answered(int index) {
        preferredAgent.set(index);
    }

    /** How long {@code request} may wait for its answer: its own timeout (a blocking query's) or the read timeout. */
    Duration timeout(Request request) {
        return request.responseTimeout != null ? request.responseTimeout : readTimeout;
    }

    /** Schedules {@code expire} at the connect timeout plus {@code timeout}; null once the client is closing. */
    ScheduledFuture<?> deadline(Duration timeout, Runnable expire) {
        try {
            return timer.schedule(expire, connectTimeout.plus(timeout).toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null; // the client is closing, and close() cancels the call
        }
    }

    static void stop(ScheduledFuture<?> deadline) {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    ConsulUnreachableException pastDeadline(Request request, URI agent, Duration timeout, Throwable error) {
        return new ConsulUnreachableException(request + " got no complete answer from " + agent + " within "
                + connectTimeout.plus(timeout).toMillis() + " ms (the connect timeout plus the read timeout)", error);
    }

    /**
     * Records why {@code agent} gave no answer; true when the call may move to the next agent:
     * the connection failed, so nothing was sent, and some agent is still untried.
     */
    boolean failOver(Request request, URI agent, int tries, List<String> failures, Throwable error,
            Duration timeout) {
        failures.add(agent + ": " + describe(error, timeout));
        if (isConnectFailure(error) && tries + 1 < agents.size() && !closed.getAsBoolean()) {
            LOG.log(System.Logger.Level.DEBUG, () -> request + ": " + agent + " unreachable, trying the next agent");
            return true;
        }
        return false;
    }

    static ConsulUnreachableException noAnswer(Request request, List<String> failures, Throwable error) {
        return new ConsulUnreachableException(request + " got no answer (" + String.join("; ", failures) + ")", error);
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
}
