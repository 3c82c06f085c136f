package io.github.consulservlet.testagent;

/** The two agents every contract and container test runs against. */
public enum AgentKind {
    /** Our in-memory {@link io.github.consulservlet.simulator.ConsulSimulator}. */
    SIMULATOR,
    /** A real {@code consul agent -dev}: the referee. */
    REAL;

    /** {@code simulator}, or the real agent's version, such as {@code Consul v1.14.11}: the tests' display names. */
    @Override
    public String toString() {
        return this == SIMULATOR ? "simulator" : ConsulBinary.find().map(ConsulBinary::version).orElse("real agent");
    }
}
