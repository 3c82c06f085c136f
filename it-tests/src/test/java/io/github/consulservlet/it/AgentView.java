package io.github.consulservlet.it;

import java.util.List;
import java.util.Optional;

import io.github.consulservlet.client.AgentCheck;
import io.github.consulservlet.client.AgentService;
import io.github.consulservlet.client.CheckStatus;
import io.github.consulservlet.client.ConsulClient;
import io.github.consulservlet.testagent.ConsulTestAgent;

/** The test's Consul agent (the simulator, or the real one named) and what it holds. */
final class AgentView implements AutoCloseable {
    final ConsulTestAgent agent;
    final ConsulClient consul;

    AgentView() {
        this(ConsulTestAgent.startSimulator());
    }

    AgentView(ConsulTestAgent agent) {
        this.agent = agent;
        ConsulClient.Builder builder = ConsulClient.builder().agents(agent.address());
        agent.token().ifPresent(builder::token);
        consul = builder.build();
    }

    /** {@code consul.agent} for the container: the agent's URL. */
    String url() {
        return agent.uri().toString();
    }

    List<AgentService> instances(String name) {
        return consul.agent().services().values().stream().filter(s -> s.name().equals(name)).toList();
    }

    Optional<AgentService> instance(String name) {
        List<AgentService> found = instances(name);
        return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
    }

    Optional<CheckStatus> checkStatus(String serviceId) {
        return Optional.ofNullable(consul.agent().checks().get("service:" + serviceId)).map(AgentCheck::status);
    }

    /** Whether the instance has passing check and is out of maintenance. */
    boolean passing(String name) {
        return instance(name).flatMap(s -> checkStatus(s.id())).orElse(null) == CheckStatus.PASSING
                && !inMaintenance(instance(name).get().id());
    }

    boolean inMaintenance(String serviceId) {
        return consul.agent().checks().containsKey("_service_maintenance:" + serviceId);
    }

    @Override
    public void close() {
        consul.close();
        agent.close();
    }
}
