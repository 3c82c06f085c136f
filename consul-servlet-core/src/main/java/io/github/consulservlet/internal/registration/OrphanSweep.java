package io.github.consulservlet.internal.registration;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.github.consulservlet.ConsulNotFoundException;
import io.github.consulservlet.internal.client.agent.Agent;
import io.github.consulservlet.internal.client.agent.AgentService;

/**
 * Removes, from one agent, the services a crashed run of this container left: those whose
 * {@link InstanceMarker} names this host and container but another instance. A service without
 * the marker (registered by a person or another tool), or of another container, is never
 * touched. Run by the {@link Registrar} once per container and agent, before its first
 * registration there.
 */
public final class OrphanSweep {
    private OrphanSweep() {
    }

    /**
     * The IDs removed; a service ID a live webapp here claimed is left, since its registration
     * replaces the old one and removing it could undo a registration just made.
     * Throws what the agent answered when it could not list its services.
     */

    public static List<String> sweep(Agent agent, InstanceMarker marker, Predicate<String> liveHere) {
        List<String> removed = new ArrayList<>();
        for (Map.Entry<String, AgentService> service : agent.services().entrySet()) {
            if (marker.isOrphan(service.getValue().meta()) && !liveHere.test(service.getKey())) {
                try {
                    agent.deregister(service.getKey());
                } catch (ConsulNotFoundException e) {
                    continue; // gone meanwhile (the agent reaped it): the others are still to be swept
                }
                removed.add(service.getKey());
                RegistrationLog.orphanRemoved(service.getKey(), service.getValue().meta().get(InstanceMarker.INSTANCE));
            }
        }
        return removed;
    }
}
