package io.github.consulservlet.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * A stateful, in-memory stand-in for a Consul agent in dev mode (one node that is also the
 * datacenter's only server), speaking the subset of the HTTP API that consul-servlet uses:
 * agent services and checks (TTL checks that expire, HTTP checks it really probes,
 * {@code DeregisterCriticalServiceAfter}, maintenance), catalog, health, KV with indexes, CAS and
 * locks, sessions with TTLs, lock delay and behaviors, blocking queries on every read, and ACL.
 * Each behaviour follows Consul's documentation, cited where it is implemented.
 *
 * <p>For tests it adds what a real agent cannot do on demand: {@linkplain #stopAnswering() stop
 * answering}, {@linkplain #goDown() go down} and {@linkplain #comeUp() come back} on the same
 * port, {@linkplain #failRequests(int, String) answer errors}, {@linkplain #latency(Duration) add
 * latency}, {@linkplain #forgetAgentState() forget its registrations}, and a
 * {@linkplain #journal() journal} of what happened when.
 *
 * <pre>{@code
 * try (ConsulSimulator consul = ConsulSimulator.builder().build()) {
 *     ConsulClient client = ConsulClient.builder().agents(consul.address()).build();
 *     ...
 * }
 * }</pre>
 *
 * <p>Run {@link #main(String[])} for a standalone agent on 127.0.0.1:8500 (the demo uses it).
 */
public final class ConsulSimulator implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ConsulSimulator.class.getName());

    static {
        // Consul's HTTP server (Go's net package) sets TCP_NODELAY on every connection; the JDK's
        // leaves Nagle's algorithm on unless told before its first server, and as it writes the
        // headers and the body of an answer separately, each answer would wait for the client's
        // delayed ACK (40 ms on Linux). Read once by the JDK: a value set earlier is kept.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final SimulatorSettings settings;
    private final ScheduledThreadPoolExecutor timers;
    private final ExecutorService responder;
    private final ExecutorService handlers;
    private final HttpProbe probe;
    private final State state;
    private final Api api;
    private final int port;
    private HttpServer server;
    private boolean closed;

    private ConsulSimulator(SimulatorSettings settings) {
        this.settings = settings;
        timers = new ScheduledThreadPoolExecutor(1, threads("consul-sim-timer"));
        timers.setRemoveOnCancelPolicy(true);
        responder = Executors.newSingleThreadExecutor(threads("consul-sim-responder"));
        handlers = Executors.newCachedThreadPool(threads("consul-sim-http"));
        probe = new HttpProbe();
        state = new State(settings, timers, probe);
        api = new Api(state, settings, timers, responder);
        state.onChange(api::changed);
        try {
            server = listen(settings.port());
        } catch (RuntimeException e) {
            stopThreads();
            throw e;
        }
        port = server.getAddress().getPort();
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private HttpServer listen(int at) {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(settings.host(), at), 0);
            http.setExecutor(handlers);
            http.createContext("/", api);
            http.start();
            return http;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + settings.host() + ":" + at, e);
        }
    }

    /** A simulator on 127.0.0.1 and a free port, with Consul's defaults. */
    public static ConsulSimulator start() {
        return builder().build();
    }

    /** Options for a simulator; {@link Builder#build()} starts it. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code 127.0.0.1:port}, as {@code consul.agent} and {@code CONSUL_HTTP_ADDR} take it. */
    public String address() {
        return settings.host() + ":" + port;
    }

    /** {@code http://127.0.0.1:port}. */
    public URI uri() {
        return URI.create("http://" + address());
    }

    /** The port it listens on, the same after {@link #comeUp()}. */
    public int port() {
        return port;
    }

    /** The node's name, which sessions default to. */
    public String nodeName() {
        return settings.nodeName();
    }

    /** The datacenter; any other {@code dc} is answered "No path to datacenter". */
    public String datacenter() {
        return settings.datacenter();
    }

    /** The one token requests must carry, when ACLs are on. */
    public Optional<String> aclToken() {
        return Optional.ofNullable(settings.aclToken());
    }

    // ---------------------------------------------------------------- faults

    /**
     * Accepts connections and reads requests but answers none until {@link #resumeAnswering()}:
     * an agent that hangs, for read timeouts and failover.
     */
    public void stopAnswering() {
        api.answering(false);
    }

    /** Answers the requests held since {@link #stopAnswering()}, and every later one. */
    public void resumeAnswering() {
        api.answering(true);
    }

    /**
     * Closes the port and every connection, as a stopped agent: calls are refused until
     * {@link #comeUp()}. State is kept, as an agent restarted with its data dir keeps it.
     */
    public synchronized void goDown() {
        if (server != null) {
            api.wentDown();
            server.stop(0);
            server = null;
        }
    }

    /** Listens again on the same port after {@link #goDown()}. */
    public synchronized void comeUp() {
        if (closed) {
            throw new IllegalStateException("the simulator on port " + port + " is closed");
        }
        if (server == null) {
            server = listen(port);
        }
    }

    /** Answers every request with this status and message until {@link #clearFaults()}. */
    public void failRequests(int status, String message) {
        api.failing(new ApiError(status, Objects.requireNonNull(message)));
    }

    /** Delays every answer by this much, until {@link #clearFaults()}. */
    public void latency(Duration delay) {
        api.latency(Objects.requireNonNull(delay));
    }

    /** Ends every fault: answers again, without errors or latency, on its port. */
    public synchronized void clearFaults() {
        api.failing(null);
        api.latency(Duration.ZERO);
        comeUp();
        resumeAnswering();
    }

    /**
     * Forgets every service and check registered with the agent (KV and sessions live on the
     * servers and stay), as an agent restarted without its data directory does. Sessions that
     * depended on the forgotten checks are invalidated.
     */
    public void forgetAgentState() {
        state.forgetAgentState();
    }

    // ---------------------------------------------------------------- what happened

    /** Everything that happened so far, oldest first. */
    public List<JournalEvent> journal() {
        return state.journal();
    }

    /** What happened of one kind, oldest first. */
    public List<JournalEvent> journal(JournalEvent.Kind kind) {
        return state.journal().stream().filter(e -> e.kind() == kind).toList();
    }

    /** A check's status, if the agent has that check. */
    public Optional<String> checkStatus(String checkId) {
        return state.checkStatus(checkId);
    }

    /** The IDs of the services registered with the agent. */
    public Set<String> serviceIds() {
        synchronized (state) {
            Set<String> ids = new LinkedHashSet<>();
            state.services.values().stream().filter(s -> s.local).forEach(s -> ids.add(s.spec.id()));
            return ids;
        }
    }

    /** The current Raft index. */
    public long index() {
        return state.index();
    }

    /** How many blocking queries are waiting for a change: a test can await its watch being parked. */
    public int blockedQueries() {
        return api.blockedQueries();
    }

    /** How many requests arrived since it started, whatever became of them. */
    public long receivedRequests() {
        return api.receivedRequests();
    }

    /** How many requests and answers are held since {@link #stopAnswering()}. */
    public int heldRequests() {
        return api.heldRequests();
    }

    /** Stops listening, probing and expiring; state is dropped, and it cannot come up again. */
    @Override
    public synchronized void close() {
        goDown();
        closed = true;
        stopThreads();
    }

    private void stopThreads() {
        state.close();
        probe.close();
        timers.shutdownNow();
        responder.shutdownNow();
        handlers.shutdownNow();
    }

    /**
     * Runs a simulator until the process is stopped: {@code --port 8500} (the default),
     * {@code --token <acl token>}, {@code --session-ttl-min 10s}.
     */
    public static void main(String[] args) throws InterruptedException {
        Builder builder = builder().port(8500);
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> builder.port(Integer.parseInt(args[i + 1]));
                case "--token" -> builder.aclToken(args[i + 1]);
                case "--session-ttl-min" -> builder.sessionTtlMin(GoDurations.parse(args[i + 1]));
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; expected --port <n>, --token <token> or --session-ttl-min <duration>");
            }
        }
        ConsulSimulator simulator = builder.build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            stopped.countDown();
        }));
        LOG.log(System.Logger.Level.INFO, "Consul simulator listening on {0}", simulator.uri());
        stopped.await();
    }

    /** Options for a {@link ConsulSimulator}; each defaults to what a Consul dev agent uses. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private String nodeName = "consul-sim";
        private String datacenter = "dc1";
        private String aclToken;
        private Duration sessionTtlMin = Duration.ofSeconds(10);
        private Duration checkReapInterval = Duration.ofSeconds(30);
        private Duration checkDeregisterIntervalMin = Duration.ofMinutes(1);

        private Builder() {
        }

        /** The address to listen on; 127.0.0.1 by default. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host);
            return this;
        }

        /** The port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is not between 0 and 65535");
            }
            this.port = port;
            return this;
        }

        /** The node's name; {@code consul-sim} by default. */
        public Builder nodeName(String nodeName) {
            this.nodeName = Objects.requireNonNull(nodeName);
            return this;
        }

        /** The datacenter; {@code dc1} by default. */
        public Builder datacenter(String datacenter) {
            this.datacenter = Objects.requireNonNull(datacenter);
            return this;
        }

        /** Turns ACLs on: every request but {@code /v1/status/*} must carry this token. */
        public Builder aclToken(String token) {
            this.aclToken = Objects.requireNonNull(token);
            return this;
        }

        /** Consul's {@code session_ttl_min}: the shortest session TTL accepted; 10s by default. */
        public Builder sessionTtlMin(Duration min) {
            this.sessionTtlMin = positive(min, "sessionTtlMin");
            return this;
        }

        /** Consul's {@code check_reap_interval}: how often critical services are reaped; 30s by default. */
        public Builder checkReapInterval(Duration interval) {
            this.checkReapInterval = positive(interval, "checkReapInterval");
            return this;
        }

        /**
         * Consul's {@code check_deregister_interval_min}: the shortest
         * {@code DeregisterCriticalServiceAfter} honoured; 1m by default.
         */
        public Builder checkDeregisterIntervalMin(Duration min) {
            this.checkDeregisterIntervalMin = positive(min, "checkDeregisterIntervalMin");
            return this;
        }

        private static Duration positive(Duration value, String name) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, not " + value);
            }
            return value;
        }

        /** Starts the simulator, listening at once. */
        public ConsulSimulator build() {
            return new ConsulSimulator(new SimulatorSettings(host, port, nodeName, datacenter, aclToken,
                    sessionTtlMin, checkReapInterval, checkDeregisterIntervalMin));
        }
    }
}
