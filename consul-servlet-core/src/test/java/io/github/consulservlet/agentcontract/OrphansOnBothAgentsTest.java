package io.github.consulservlet.agentcontract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;
import io.github.consulservlet.internal.registration.InstanceMarker;
import io.github.consulservlet.internal.registration.OrphanSweep;

/**
 * The instance marker every registration carries, and the removal at start of what a crashed
 * run of the same container left: only that, never a service of another container, another
 * host, the current run, or one without the marker.
 */
class OrphansOnBothAgentsTest extends OnBothAgents {

    private ServiceRegistration service(String name, Map<String, String> meta) {
        return ServiceRegistration.builder(name).id(name).port(8080).address("").meta(meta).build();
    }

    private Map<String, String> marker(String host, String container, String instance, String... own) {
        Map<String, String> meta = new HashMap<>(new InstanceMarker(host, container, instance).meta());
        for (int i = 0; i < own.length; i += 2) {
            meta.put(own[i], own[i + 1]);
        }
        return meta;
    }

    @Test
    void startRemovesTheServicesAnEarlierRunOfThisContainerLeftAndLeavesOtherContainersAndUnmarkedServicesAlone() {
        String host = uniqueService("host");
        String container = "/srv/tomcat:8080";
        InstanceMarker now = new InstanceMarker(host, container, "run-2");
        String orphan = uniqueService("orphan");
        String current = uniqueService("current");
        String otherContainer = uniqueService("other-container");
        String otherPort = uniqueService("other-port");
        String otherHost = uniqueService("other-host");
        String unmarked = uniqueService("unmarked");
        String byHand = uniqueService("by-hand");
        register(service(orphan, marker(host, container, "run-1", "team", "shop")));
        register(service(current, marker(host, container, "run-2")));
        register(service(otherContainer, marker(host, "/srv/other:8080", "run-1")));
        register(service(otherPort, marker(host, "/srv/tomcat:8081", "run-1")));
        register(service(otherHost, marker(host + "-b", container, "run-1")));
        register(service(unmarked, Map.of()));
        // a person copied host and container but no instance: not ours to remove
        register(service(byHand, Map.of("servlet-registrar-host", host, "servlet-registrar-container", container)));

        List<String> removed = OrphanSweep.sweep(consul.agent(), now, id -> false);

        assertEquals(List.of(orphan), removed);
        Set<String> left = consul.agent().services().keySet().stream().collect(Collectors.toSet());
        assertTrue(!left.contains(orphan), "the orphan is gone: " + left);
        assertTrue(left.containsAll(List.of(current, otherContainer, otherPort, otherHost, unmarked, byHand)), left::toString);
    }

    @Test
    void aServiceIdALiveWebappHereClaimedIsLeftForItsRegistrationToReplace() {
        String host = uniqueService("host");
        InstanceMarker now = new InstanceMarker(host, "/srv/tomcat:8080", "run-2");
        String sameId = uniqueService("same-id");
        register(service(sameId, marker(host, "/srv/tomcat:8080", "run-1")));

        assertEquals(List.of(), OrphanSweep.sweep(consul.agent(), now, sameId::equals));
        assertTrue(consul.agent().services().containsKey(sameId));
    }

    @Test
    void theAgentRefusesMetaKeysWithTheReservedConsulPrefix() {
        String name = uniqueService("reserved");
        ConsulException refused = assertThrows(ConsulException.class,
                () -> register(service(name, Map.of("consul-instance", "1"))));
        assertEquals(400, refused.status());
        assertEquals("Invalid Service Meta: Couldn't load metadata pair ('consul-instance', '1'): Key prefix 'consul-' is"
                + " reserved for internal use", refused.consulMessage().strip());
        assertTrue(consul.agent().service(name).isEmpty());
    }
}
