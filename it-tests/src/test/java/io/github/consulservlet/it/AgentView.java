package io.github.consulservlet.it;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.agent.AgentCheck;
import io.github.consulservlet.internal.client.agent.AgentService;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.testagent.ConsulTestAgent;

/** The Consul agent a test is given (the simulator or a real one) and what it holds. */
final class AgentView implements AutoCloseable {
    final ConsulTestAgent agent;
    final ConsulClient consul;

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

    /** The service's own check (consul-servlet names it {@code service:<id>}), as the agent last ran it. */
    Optional<AgentCheck> check(String serviceId) {
        return Optional.ofNullable(consul.agent().checks().get("service:" + serviceId));
    }

    /**
     * Whether {@code output} is what the agent's HTTP check of {@code url} writes for an answer
     * {@code code} with {@code body}: {@code HTTP GET <url>: <code> <reason> Output: <body>}, the
     * reason being the one the server sent (Tomcat sends none, Jetty sends the standard one).
     */
    static boolean isHttpCheckOutput(String output, String url, int code, String body) {
        return output.startsWith("HTTP GET " + url + ": " + code + " ") && output.contains(" Output: " + body);
    }

    Optional<CheckStatus> checkStatus(String serviceId) {
        return check(serviceId).map(AgentCheck::status);
    }

    /** The one instance of {@code name}'s check status, if there is one instance with a check. */
    Optional<CheckStatus> statusOf(String name) {
        return instance(name).flatMap(s -> checkStatus(s.id()));
    }

    /** Whether the instance has passing check and is out of maintenance. */
    boolean passing(String name) {
        return statusOf(name).orElse(null) == CheckStatus.PASSING && !inMaintenance(instance(name).get().id());
    }

    boolean inMaintenance(String serviceId) {
        return consul.agent().checks().containsKey("_service_maintenance:" + serviceId);
    }

    /**
     * Kills the agent and starts it again on the same port with nothing in it, then waits until
     * every service of {@code names} is registered again, as the webapps' anti-entropy must do;
     * returns how long that took from the moment the restarted agent first answered, and prints
     * it for the run's report.
     */
    Duration restartEmptyAndAwaitRegistered(Collection<String> names, Duration within) {
        agent.kill();
        CompletableFuture<Void> restarted = CompletableFuture.runAsync(agent::startAgain);
        await("the restarted agent answering").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> answers() || restarted.isCompletedExceptionally());
        restarted.getNow(null); // throws what failed the restart, if it did
        long answered = System.nanoTime();
        await("every webapp registered again with the restarted agent").atMost(within).pollInterval(Duration.ofMillis(20))
                .ignoreExceptions().until(() -> names.stream().allMatch(name -> instances(name).size() == 1));
        Duration took = Duration.ofNanos(System.nanoTime() - answered);
        restarted.join();
        System.out.printf("consul-it: %s restarted empty: %d webapps registered again %d ms after it answered%n",
                agent.kind(), names.size(), took.toMillis());
        return took;
    }

    /** Whether the agent answers the call the webapps' anti-entropy makes. */
    private boolean answers() {
        try {
            consul.agent().services();
            return true;
        } catch (ConsulException e) {
            return false;
        }
    }

    @Override
    public void close() {
        consul.close();
        agent.close();
    }
}
