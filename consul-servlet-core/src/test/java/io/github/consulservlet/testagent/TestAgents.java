package io.github.consulservlet.testagent;

import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.ArgumentsProvider;
import org.junit.jupiter.params.support.ParameterDeclarations;

/**
 * The agents a parameterised test runs against, for {@code @ArgumentsSource(TestAgents.class)}:
 * the simulator, and the real agent whenever a {@link ConsulBinary} can be had. Without one, the
 * real-agent runs are left out and one line says so and why; with {@code CI=true} that is a
 * failure instead.
 */
public final class TestAgents implements ArgumentsProvider {
    private static final Object LOCK = new Object();
    private static boolean told;
    private static RealAgentProcess shared;

    /** {@link AgentKind#SIMULATOR}, then {@link AgentKind#REAL} when a binary can be had. */
    @Override
    public Stream<? extends Arguments> provideArguments(ParameterDeclarations parameters, ExtensionContext context) {
        return kinds().map(Arguments::of);
    }

    /** The kinds of agent this run can test against. */
    public static Stream<AgentKind> kinds() {
        return realAvailable() ? Stream.of(AgentKind.SIMULATOR, AgentKind.REAL) : Stream.of(AgentKind.SIMULATOR);
    }

    /** Whether a real agent can be run; false only outside CI, after saying why once. */
    public static boolean realAvailable() {
        if (ConsulBinary.find().isPresent()) {
            return true;
        }
        String why = ConsulBinary.whyMissing().orElseThrow();
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true and the real Consul agent is missing: " + why);
        }
        synchronized (LOCK) {
            if (!told) {
                told = true;
                System.out.println("consul-servlet: real-agent tests skipped (the simulator's still run): " + why);
            }
        }
        return false;
    }

    static ConsulBinary requireBinary() {
        return ConsulBinary.find().orElseThrow(() -> new IllegalStateException(ConsulBinary.whyMissing().orElseThrow()));
    }

    /** The real agent this JVM's tests share; stopped, and its directory deleted, when the JVM exits. */
    static RealAgentProcess sharedRealAgent() {
        synchronized (LOCK) {
            if (shared == null) {
                RealAgentProcess started = RealAgentProcess.start(requireBinary(), false);
                Runtime.getRuntime().addShutdownHook(new Thread(started::close, "consul-test-agent-stop"));
                shared = started;
            }
            return shared;
        }
    }
}
