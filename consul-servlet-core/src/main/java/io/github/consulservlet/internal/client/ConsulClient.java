package io.github.consulservlet.internal.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import io.github.consulservlet.ConsistencyMode;
import io.github.consulservlet.ConsulContext;
import io.github.consulservlet.Discovery;
import io.github.consulservlet.KeyValueStore;
import io.github.consulservlet.Locks;
import io.github.consulservlet.QueryOptions;
import io.github.consulservlet.Sessions;
import io.github.consulservlet.internal.client.agent.Agent;
import io.github.consulservlet.internal.client.tls.Tls;
import io.github.consulservlet.internal.client.tls.TlsSettings;
import io.github.consulservlet.internal.client.transport.Transport;
import io.github.consulservlet.internal.client.watch.EventDispatch;
import io.github.consulservlet.spi.ExtensionThreads;

/**
 * A client of one Consul agent (or an ordered list of agents to fail over to), with one set of
 * credentials. It owns two connection pools (synchronous calls run on their caller's thread),
 * HttpClient's reactor and I/O threads for watches, one scheduler thread and one event thread,
 * whatever the number of calls, contexts and watches: share it
 * between every webapp that talks to the same agent, and give each webapp its own
 * {@link #newContext()}. Watches of the same data, from any context, share one chain of
 * blocking queries.
 *
 * <pre>{@code
 * try (ConsulClient consul = ConsulClient.builder().agents("127.0.0.1:8500").build()) {
 *     consul.kv().set("greeting", "hello");
 * }
 * }</pre>
 *
 * <p>As a {@link ConsulContext} itself, it offers discovery, KV and sessions whose watches last
 * until the client is closed. Closing it cancels every call in flight and stops its threads.
 */
public final class ConsulClient implements ConsulContext, AutoCloseable {
    private final ClientRuntime runtime;
    private final Agent agent;
    private final Set<Scope> scopes = ConcurrentHashMap.newKeySet();
    private final ScopedConsulContext root;
    private volatile boolean closed;

    private ConsulClient(Builder b) {
        var tls = b.agents.stream().anyMatch(uri -> "https".equals(uri.getScheme())) ? Tls.context(b.tls) : null;
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, new ExtensionThreads("scheduler"));
        scheduler.setRemoveOnCancelPolicy(true);
        Transport transport = new Transport(b.agents, b.token, tls, b.tls.verify(), b.connectTimeout,
                b.readTimeout, b.maxConnections, new ExtensionThreads("io"), b.maxResponseSize,
                b.maxWatchResponseSize, b.strictAnswers, scheduler);
        EventDispatch events = new EventDispatch(scheduler);
        this.runtime = new ClientRuntime(transport, scheduler, events, b.datacenter, b.consistency,
                b.readTimeout, b.watchWait, b.backoff);
        this.agent = new Agent(transport);
        this.root = newContext(QueryOptions.DEFAULT, false);
    }

    /** A builder for a client of {@code http://127.0.0.1:8500}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The local agent's services and checks. */
    public Agent agent() {
        return agent;
    }

    @Override
    public Discovery discovery() {
        return root.discovery();
    }

    @Override
    public KeyValueStore kv() {
        return root.kv();
    }

    @Override
    public Sessions sessions() {
        return root.sessions();
    }

    @Override
    public Locks locks() {
        return root.locks();
    }

    /**
     * A context on this client whose watches stop, and whose sessions are destroyed, when it is
     * closed.
     */
    public ScopedConsulContext newContext() {
        return newContext(QueryOptions.DEFAULT);
    }

    /**
     * A context like {@link #newContext()} whose reads use {@code defaults} (datacenter,
     * consistency mode) where a call names none, instead of the client's.
     */
    public ScopedConsulContext newContext(QueryOptions defaults) {
        return newContext(defaults, true);
    }

    /** The client's own context keeps the sessions made through it: they outlive {@link #close()}, as before. */
    private ScopedConsulContext newContext(QueryOptions defaults, boolean ownsSessions) {
        Objects.requireNonNull(defaults, "defaults");
        if (closed) {
            throw new IllegalStateException("the Consul client is closed");
        }
        ClientRuntime contextRuntime = defaults.equals(QueryOptions.DEFAULT) ? runtime : runtime.withDefaults(defaults);
        Scope scope = new Scope(contextRuntime, ownsSessions);
        scopes.add(scope);
        if (closed) { // close() may have copied the scopes before this one was added
            scope.close();
            throw new IllegalStateException("the Consul client is closed");
        }
        return new ScopedConsulContext(contextRuntime, scope, () -> scopes.remove(scope));
    }

    public ClientRuntime runtimeForTests() {
        return runtime;
    }

    /** Stops every watch, cancels every call in flight and stops the client's threads. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Scope scope : List.copyOf(scopes)) {
            scope.close();
        }
        runtime.watches.closeAll();
        runtime.transport.close();
        runtime.scheduler.shutdownNow();
        runtime.events.shutdownNow();
    }

    /** The default of {@link Builder#maxResponseSize(long)}: 8 MiB. */
    public static final long DEFAULT_MAX_RESPONSE_SIZE = 8L << 20;
    /** The default of {@link Builder#maxWatchResponseSize(long)}: 64 MiB. */
    public static final long DEFAULT_MAX_WATCH_RESPONSE_SIZE = 64L << 20;

    /** Builds a {@link ConsulClient}. */
    public static final class Builder {
        private List<URI> agents = List.of(URI.create("http://127.0.0.1:8500"));
        private String token;
        private TlsSettings tls = TlsSettings.DEFAULT;
        private String datacenter;
        private ConsistencyMode consistency = ConsistencyMode.DEFAULT;
        private Duration connectTimeout = Duration.ofSeconds(3);
        private Duration readTimeout = Duration.ofSeconds(10);
        private int maxConnections = 128;
        private Duration watchWait = Duration.ofMinutes(5);
        private Backoff backoff = Backoff.WATCH_ERRORS;
        private long maxResponseSize = DEFAULT_MAX_RESPONSE_SIZE;
        private long maxWatchResponseSize = DEFAULT_MAX_WATCH_RESPONSE_SIZE;
        private boolean strictAnswers;

        private Builder() {
        }

        /**
         * The agents, comma-separated, each {@code host:port} or a URL such as
         * {@code https://consul.local:8501}, as {@code CONSUL_HTTP_ADDR} takes them. Calls go to
         * the first that accepts connections.
         *
         * @throws IllegalArgumentException naming the value and the accepted form
         */
        public Builder agents(String commaSeparated) {
            this.agents = AgentAddresses.parse(commaSeparated);
            return this;
        }

        /** The agents as base URLs ({@code http} or {@code https}, no path), in failover order. */
        public Builder agents(List<URI> urls) {
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("at least one Consul agent URL is needed");
            }
            List<URI> parsed = new ArrayList<>();
            for (URI url : urls) {
                parsed.add(AgentAddresses.parseOne(url.toString(), url.toString()));
            }
            this.agents = List.copyOf(parsed);
            return this;
        }

        /** The ACL token, sent only in the {@code X-Consul-Token} header. */
        public Builder token(String token) {
            Objects.requireNonNull(token, "token");
            if (token.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
                throw new IllegalArgumentException("the Consul ACL token contains a control character"
                        + " (a line break from a token file?); expected the token alone");
            }
            this.token = token.isEmpty() ? null : token;
            return this;
        }

        /** TLS settings for {@code https://} agents. */
        public Builder tls(TlsSettings tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** The datacenter asked when a call names none; the agent's own when not set. */
        public Builder datacenter(String datacenter) {
            if (datacenter == null || datacenter.isBlank()) {
                throw new IllegalArgumentException("a datacenter must not be blank");
            }
            this.datacenter = datacenter;
            return this;
        }

        /** The consistency mode of reads that name none. */
        public Builder consistencyMode(ConsistencyMode mode) {
            this.consistency = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** How long to wait for a connection to an agent before trying the next; 3s by default. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connect timeout");
            return this;
        }

        /**
         * How long to wait for an answer; 10s by default. A blocking query waits longer by itself:
         * its wait plus Consul's jitter of wait/16, plus this as a margin.
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "read timeout");
            return this;
        }

        /**
         * The most connections open at once, 128 by default, below the 200 Consul accepts per
         * client address ({@code http_max_conns_per_client}). Blocking queries hold theirs while
         * they wait, so watches may hold all but a quarter of them (at least 4 stay for calls; 5
         * or fewer give watches one); more watches than that take turns. Synchronous calls have
         * the rest, one pool, and other asynchronous calls one more connection (so 1 or 2 give
         * 2 or 3: each pool has at least one).
         */
        public Builder maxConnections(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("max connections must be 1 or more, was " + max);
            }
            this.maxConnections = max;
            return this;
        }

        /**
         * How long a watch's blocking query may wait for a change before Consul answers with the
         * same data; 5 minutes by default, at most 10 (Consul's cap). The agent's
         * {@code max_query_time} may cut it shorter.
         */
        public Builder blockingQueryWait(Duration wait) {
            if (wait.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("a blocking query waits at most 10m, was " + wait);
            }
            this.watchWait = positive(wait, "watch wait");
            return this;
        }

        /**
         * The most bytes an answer to an ordinary call may have, decoded; 8 MiB by default. A
         * larger one fails its call with a {@link io.github.consulservlet.ConsulResponseException}
         * as soon as the limit is passed, so an endless or gzip-bombed answer costs at most this
         * much memory.
         */
        public Builder maxResponseSize(long bytes) {
            this.maxResponseSize = size(bytes, "max response size");
            return this;
        }

        /**
         * The same limit for the answers of watches and recursive reads ({@code getAll}), which
         * carry whole prefixes and service lists; 64 MiB by default.
         */
        public Builder maxWatchResponseSize(long bytes) {
            this.maxWatchResponseSize = size(bytes, "max watch response size");
            return this;
        }

        /**
         * When true, an answer with one unreadable entry (a KV value that is not base64, a
         * session TTL that is not a duration, a port out of range) fails the whole call; by
         * default that entry is left out, with a warning naming the endpoint and the entry.
         */
        public Builder strictAnswers(boolean strict) {
            this.strictAnswers = strict;
            return this;
        }

        private static long size(long bytes, String what) {
            if (bytes < 1 || bytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(what + " must be 1 to " + (Integer.MAX_VALUE - 8)
                        + " bytes, was " + bytes);
            }
            return bytes;
        }

        /** The backoff of failed watches. */
        Builder retryBackoff(Duration min, Duration max) {
            this.backoff = new Backoff(positive(min, "backoff"), positive(max, "backoff"));
            return this;
        }

        List<URI> agents() {
            return agents;
        }

        /** The client, with its threads started. */
        public ConsulClient build() {
            return new ConsulClient(this);
        }

        private static Duration positive(Duration duration, String what) {
            if (duration == null || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + duration);
            }
            return duration;
        }
    }
}
