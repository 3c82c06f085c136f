package io.github.consulservlet.testagent;

import java.net.URI;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import io.github.consulservlet.simulator.ConsulSimulator;

/**
 * The Consul agent a test talks to: a {@link ConsulSimulator}, or a real {@code consul agent -dev}
 * run from the {@link ConsulBinary}. Tests written against it use only what both do, name what
 * they create with {@link #unique(String)} (the JVM's real agent is shared between test classes)
 * and remove it when done.
 */
public final class ConsulTestAgent implements AutoCloseable {
    private final AgentKind kind;
    private final Supplier<ConsulSimulator> simulators;
    private ConsulSimulator simulator;
    private final RealAgentProcess process;
    private final boolean owned;
    /** An agent run by someone else (the user's, for the demo), when neither of the above. */
    private final URI elsewhere;
    private final String elsewhereToken;

    private ConsulTestAgent(AgentKind kind, Supplier<ConsulSimulator> simulators, RealAgentProcess process, boolean owned) {
        this.kind = kind;
        this.simulators = simulators;
        this.simulator = simulators == null ? null : simulators.get();
        this.process = process;
        this.owned = owned;
        this.elsewhere = null;
        this.elsewhereToken = null;
    }

    private ConsulTestAgent(URI elsewhere, String token) {
        this.kind = AgentKind.REAL;
        this.simulators = null;
        this.process = null;
        this.owned = false;
        this.elsewhere = elsewhere;
        this.elsewhereToken = token;
    }

    /** A fresh simulator with Consul's defaults. */
    public static ConsulTestAgent startSimulator() {
        return startSimulator(ConsulSimulator.builder());
    }

    /** A fresh simulator built from {@code builder}; {@link #restart()} rebuilds it on the same port. */
    public static ConsulTestAgent startSimulator(ConsulSimulator.Builder builder) {
        ConsulSimulator first = builder.build();
        builder.port(first.port());
        boolean[] used = {false};
        return new ConsulTestAgent(AgentKind.SIMULATOR, () -> {
            if (!used[0]) {
                used[0] = true;
                return first;
            }
            return builder.build();
        }, null, true);
    }

    /**
     * An agent of {@code kind} for one test: a fresh simulator, or the real agent this JVM shares
     * between tests (started on first use, stopped when the JVM exits; {@link #close()} leaves it
     * running, and it cannot be restarted).
     */
    public static ConsulTestAgent shared(AgentKind kind) {
        return kind == AgentKind.SIMULATOR ? startSimulator() : new ConsulTestAgent(kind, null, TestAgents.sharedRealAgent(), false);
    }

    /** An agent of {@code kind} of the caller's own, which it may {@link #restart()} and must {@link #close()}. */
    public static ConsulTestAgent own(AgentKind kind) {
        return kind == AgentKind.SIMULATOR ? startSimulator()
                : new ConsulTestAgent(kind, null, RealAgentProcess.start(TestAgents.requireBinary(), false), true);
    }

    /**
     * The same with its HTTP API on {@code httpPort}: for the demo, which offers Consul's usual
     * 127.0.0.1:8500. Fails when the port is taken.
     */
    public static ConsulTestAgent ownOnPort(AgentKind kind, int httpPort) {
        return kind == AgentKind.SIMULATOR ? startSimulator(ConsulSimulator.builder().port(httpPort))
                : new ConsulTestAgent(kind, null, RealAgentProcess.start(TestAgents.requireBinary(), false, httpPort), true);
    }

    /**
     * An agent of {@code kind} of the caller's own with ACLs on, denying by default:
     * {@link #token()} is its management token.
     */
    public static ConsulTestAgent ownWithAcl(AgentKind kind) {
        return kind == AgentKind.SIMULATOR ? startSimulator(ConsulSimulator.builder().aclToken(UUID.randomUUID().toString()))
                : new ConsulTestAgent(kind, null, RealAgentProcess.start(TestAgents.requireBinary(), true), true);
    }

    /**
     * A real agent someone else runs at {@code uri} (the user's, which the demo uses when
     * {@code CONSUL_HTTP_ADDR} names one), with {@code token} or none; never stopped nor restarted.
     */
    public static ConsulTestAgent runningAt(URI uri, Optional<String> token) {
        return new ConsulTestAgent(uri, token.orElse(null));
    }

    /** Which kind of agent this is. */
    public AgentKind kind() {
        return kind;
    }

    /** The agent's URL. */
    public URI uri() {
        return simulator != null ? simulator.uri() : process != null ? process.uri() : elsewhere;
    }

    /** {@code host:port}, or the URL of an https agent elsewhere, as {@code consul.agent} takes it. */
    public String address() {
        URI uri = uri();
        return "https".equals(uri.getScheme()) ? uri.toString() : uri.getHost() + ":" + uri.getPort();
    }

    /** The ACL token to send, if any: with ACLs on, the management token. */
    public Optional<String> token() {
        return simulator != null ? simulator.aclToken() : process != null ? process.managementToken()
                : Optional.ofNullable(elsewhereToken);
    }

    /** The agent's node name; not known for an agent {@link #runningAt} elsewhere. */
    public String nodeName() {
        if (elsewhere != null) {
            throw new IllegalStateException("the node name of the agent at " + elsewhere + " is not known");
        }
        return simulator != null ? simulator.nodeName() : process.nodeName();
    }

    /** True when this is a real agent. */
    public boolean isReal() {
        return kind == AgentKind.REAL;
    }

    /** The simulator, when this is one: for faults and the journal, which a real agent lacks. */
    public Optional<ConsulSimulator> simulator() {
        return Optional.ofNullable(simulator);
    }

    /** {@code prefix-} followed by 8 random hex digits: a name no other test uses. */
    public String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Stops the agent at once, as a crash would; {@link #startAgain()} brings it back. */
    public synchronized void kill() {
        requireOwned();
        if (simulator != null) {
            simulator.close();
        } else {
            process.kill();
        }
    }

    /**
     * Starts a killed agent again on the same port, having forgotten everything (services, checks,
     * KV, sessions) with its indexes starting over, as a restarted dev agent does.
     */
    public synchronized void startAgain() {
        requireOwned();
        if (simulators != null) {
            simulator.close();
            simulator = simulators.get();
        } else {
            process.startAgain();
        }
    }

    /** {@link #kill()} then {@link #startAgain()}. */
    public void restart() {
        kill();
        startAgain();
    }

    private void requireOwned() {
        if (!owned) {
            throw new IllegalStateException("the shared real agent, or one running elsewhere, cannot be stopped:"
                    + " use ConsulTestAgent.own(kind)");
        }
    }

    /** Stops the agent when it is the caller's own; the shared real agent, or one elsewhere, is left running. */
    @Override
    public synchronized void close() {
        if (!owned) {
            return;
        }
        if (simulator != null) {
            simulator.close();
        } else {
            process.close();
        }
    }

    @Override
    public String toString() {
        return kind + " at " + uri();
    }
}
