package io.github.consulservlet.internal.registration;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.agent.Agent;
import io.github.consulservlet.internal.client.agent.AgentService;

/**
 * One loop per shared client, on its registrar threads, that finds the registered webapps the
 * agent forgot (it was restarted without its data, or an operator removed them) and has them
 * register again: one {@code GET /v1/agent/services}, however many webapps, after the shortest
 * period any of them asks for. Owned by a {@link SharedClient}; a {@link Registrar} joins it once
 * registered, and a {@link Deregistration} leaves it.
 */
final class AntiEntropy {
    private final Object agents;
    private final ScheduledExecutorService registrar;
    private final Supplier<ConsulClient> client;
    private final Runnable beforeEachPass;
    private final Set<WebappRegistration> members = ConcurrentHashMap.newKeySet();
    // guarded by this
    private ScheduledFuture<?> next;
    private long generation;

    /**
     * @param agents what log lines name the agents by
     * @param beforeEachPass run first on each pass: the pool's clean-up of abandoned webapps
     */
    AntiEntropy(Object agents, ScheduledExecutorService registrar, Supplier<ConsulClient> client, Runnable beforeEachPass) {
        this.agents = agents;
        this.registrar = registrar;
        this.client = client;
        this.beforeEachPass = beforeEachPass;
    }

    void watchOver(WebappRegistration registration) {
        members.add(registration);
        Duration period = registration.antiEntropyPeriod();
        synchronized (this) {
            // a member with a shorter interval than the loop's next run brings that run forward
            if (next == null || next.isDone() || next.getDelay(TimeUnit.MILLISECONDS) > period.toMillis()) {
                schedule(period);
            }
        }
    }

    void forget(WebappRegistration registration) {
        members.remove(registration);
    }

    /** Replaces the loop's next run; a run already under way sees it is stale and ends there. */
    private synchronized void schedule(Duration delay) {
        if (next != null) {
            next.cancel(false);
        }
        long run = ++generation;
        try {
            next = registrar.schedule(() -> pass(run), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            next = null; // the client is closing
        }
    }

    private void pass(long run) {
        beforeEachPass.run();
        if (members.isEmpty()) {
            return;
        }
        try {
            // one list per namespace and partition the members live in (Enterprise), mostly just one
            Map<Agent, Map<String, AgentService>> known = new java.util.HashMap<>();
            for (WebappRegistration member : members) {
                Map<String, AgentService> services = known.computeIfAbsent(member.scoped(client.get().agent()), Agent::services);
                member.serviceId().filter(id -> !services.containsKey(id)).ifPresent(id -> member.agentForgot());
            }
        } catch (ConsulException e) {
            RegistrationLog.antiEntropyFailed(agents, e);
        }
        Optional<Duration> period = members.stream().map(WebappRegistration::antiEntropyPeriod).min(Duration::compareTo);
        synchronized (this) {
            if (run != generation) {
                return; // a member joining meanwhile scheduled the next run
            }
            if (period.isPresent()) {
                schedule(period.get());
            } else {
                next = null;
            }
        }
    }
}
