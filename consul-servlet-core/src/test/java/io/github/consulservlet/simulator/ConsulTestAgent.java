package io.github.consulservlet.simulator;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The Consul agent a test talks to: the real one named by {@code -Dconsul.it.agent} or
 * {@code CONSUL_HTTP_ADDR} (with the token of {@code -Dconsul.it.token} or
 * {@code CONSUL_HTTP_TOKEN}), else a fresh {@link ConsulSimulator}. Tests written against it use
 * only what both do, name what they create with {@link #unique(String)} so that runs on a shared
 * agent cannot collide, and remove it when done.
 *
 * <p>{@code CONSUL_HTTP_ADDR} is often set for a whole shell, pointing at a real cluster; it is
 * followed only when it names a loopback agent, so that a plain {@code mvn verify} never writes
 * into a cluster. Any other agent must be named on purpose, with {@code -Dconsul.it.agent}.
 */
public final class ConsulTestAgent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ConsulTestAgent.class.getName());

    private final URI uri;
    private final String token;
    private final ConsulSimulator simulator;

    private ConsulTestAgent(URI uri, String token, ConsulSimulator simulator) {
        this.uri = uri;
        this.token = token;
        this.simulator = simulator;
    }

    /** The real agent when one is named, else a simulator with Consul's defaults. */
    public static ConsulTestAgent start() {
        return start(ConsulSimulator.builder());
    }

    /** The real agent when one is named, else a simulator built from {@code simulator}. */
    public static ConsulTestAgent start(ConsulSimulator.Builder simulator) {
        String configured = System.getProperty("consul.it.agent");
        String ambient = System.getenv("CONSUL_HTTP_ADDR");
        if ((configured == null || configured.isBlank()) && ambient != null && !ambient.isBlank()) {
            if (isLoopback(parse(ambient.trim()))) {
                configured = ambient;
            } else {
                LOG.log(System.Logger.Level.WARNING, "CONSUL_HTTP_ADDR={0} is not a loopback agent, so the tests"
                        + " use the simulator; to test against it, pass -Dconsul.it.agent={0}", ambient);
            }
        }
        if (configured != null && !configured.isBlank()) {
            String token = System.getProperty("consul.it.token");
            if (token == null || token.isBlank()) {
                token = System.getenv("CONSUL_HTTP_TOKEN");
            }
            return new ConsulTestAgent(parse(configured.trim()), token == null || token.isBlank() ? null : token, null);
        }
        ConsulSimulator started = simulator.build();
        return new ConsulTestAgent(started.uri(), started.aclToken().orElse(null), started);
    }

    /** {@code host:port} or a URL, as Consul's CLI reads {@code CONSUL_HTTP_ADDR}. */
    static URI parse(String address) {
        String lower = address.toLowerCase(Locale.ROOT);
        String url = lower.startsWith("http://") || lower.startsWith("https://") ? address
                : ("true".equalsIgnoreCase(System.getenv("CONSUL_HTTP_SSL")) ? "https://" : "http://") + address;
        URI parsed = URI.create(url);
        if (parsed.getHost() == null || parsed.getPort() < 0) {
            throw new IllegalArgumentException("consul.it.agent / CONSUL_HTTP_ADDR '" + address
                    + "' is not an agent address; expected host:port or http(s)://host:port");
        }
        return parsed;
    }

    private static boolean isLoopback(URI agent) {
        String host = agent.getHost();
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
    }

    /** The agent's URL. */
    public URI uri() {
        return uri;
    }

    /** {@code host:port}, or the URL for https, as {@code consul.agent} takes it. */
    public String address() {
        return "https".equals(uri.getScheme()) ? uri.toString() : uri.getHost() + ":" + uri.getPort();
    }

    /** The ACL token to send, if any. */
    public Optional<String> token() {
        return Optional.ofNullable(token);
    }

    /** True when this is a real agent. */
    public boolean isReal() {
        return simulator == null;
    }

    /** The simulator, when this is one: for faults and the journal, which a real agent lacks. */
    public Optional<ConsulSimulator> simulator() {
        return Optional.ofNullable(simulator);
    }

    /** {@code prefix-} followed by 8 random hex digits: a name no other test run uses. */
    public String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Stops the simulator; a real agent is left running. */
    @Override
    public void close() {
        if (simulator != null) {
            simulator.close();
        }
    }
}
