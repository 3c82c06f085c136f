package io.github.consulservlet.agentcontract;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.QueryOptions;
import io.github.consulservlet.ServiceInstance;
import io.github.consulservlet.internal.client.agent.AgentCheck;
import io.github.consulservlet.internal.client.agent.AgentService;
import io.github.consulservlet.internal.client.agent.CheckDefinition;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;

/**
 * Discovery and the agent's own view: healthy instances by name and tag, the catalog's services
 * and tags, the agent's services and checks, and TTL checks driven through the agent. A real agent
 * writes what it accepts to the catalog a moment later, so the catalog's view is awaited.
 */
class DiscoveryOnBothAgentsTest extends OnBothAgents {
    private static final Duration CATALOG = Duration.ofSeconds(10);

    private ServiceRegistration.Builder instance(String name, String id, int port, CheckStatus status) {
        return ServiceRegistration.builder(name).id(id).port(port)
                .check(CheckDefinition.ttl(Duration.ofMinutes(5)).status(status).build());
    }

    @Test
    void onlyInstancesWhoseChecksAllPassAreDiscoveredWithTheirAddressPortTagsAndMeta() {
        String name = uniqueService("shop");
        register(instance(name, name + "-1", 8081, CheckStatus.PASSING).address("127.0.0.1")
                .tags(List.of("blue", "v1")).meta(Map.of("zone", "a")).build());
        register(instance(name, name + "-2", 8082, CheckStatus.CRITICAL).tags(List.of("blue")).build());
        register(instance(name, name + "-3", 8083, CheckStatus.WARNING).tags(List.of("green")).build());

        await().atMost(CATALOG).until(() -> consul.discovery().service(name).size() == 1);
        ServiceInstance found = consul.discovery().service(name).get(0);
        assertEquals(name + "-1", found.id());
        assertEquals(name, found.name());
        assertEquals("127.0.0.1", found.address());
        assertEquals(8081, found.port());
        assertEquals(List.of("blue", "v1"), found.tags());
        assertEquals(Map.of("zone", "a"), found.meta());
        assertEquals(agent.nodeName(), found.node());
        assertEquals("dc1", found.datacenter());

        consul.agent().passCheck("service:" + name + "-2", "recovered");
        await().atMost(CATALOG).until(() -> ids(consul.discovery().service(name)).equals(Set.of(name + "-1", name + "-2")));
        assertEquals(Set.of(name + "-1", name + "-2"), ids(consul.discovery().service(name, "blue")));
        assertEquals(Set.of(name + "-1"), ids(consul.discovery().service(name, "v1")));
        assertEquals(List.of(), consul.discovery().service(name, "green"), "a warning check is not passing");
        assertEquals(Set.of(name + "-1"), ids(consul.discovery().service(name, "v1", QueryOptions.datacenter("dc1"))));
    }

    @Test
    void anInstanceWithoutAnAddressIsReachedAtItsNodesAddress() {
        String name = uniqueService("nodeaddr");
        register(instance(name, name, 9000, CheckStatus.PASSING).build());
        await().atMost(CATALOG).until(() -> consul.discovery().service(name).size() == 1);
        assertEquals("127.0.0.1", consul.discovery().service(name).get(0).address());
        assertEquals("", consul.agent().service(name).orElseThrow().address(), "the agent keeps it empty");
    }

    @Test
    void anUnknownServiceHasNoInstances() {
        assertEquals(List.of(), consul.discovery().service(uniqueService("nobody")));
        assertEquals(List.of(), consul.discovery().service(uniqueService("nobody"), "tag"));
    }

    @Test
    void theCatalogListsEveryServiceWithTheTagsOfAllItsInstancesAndConsulItself() {
        String name = uniqueService("catalog");
        register(instance(name, name + "-1", 1, CheckStatus.CRITICAL).tags(List.of("a", "b")).build());
        register(instance(name, name + "-2", 2, CheckStatus.PASSING).tags(List.of("b", "c")).build());
        await().atMost(CATALOG).until(() -> consul.discovery().services().containsKey(name)
                && Set.copyOf(consul.discovery().services().get(name)).equals(Set.of("a", "b", "c")));
        Map<String, List<String>> services = consul.discovery().services();
        assertTrue(services.containsKey("consul"), () -> "a server lists itself: " + services);
        assertEquals(3, services.get(name).size(), () -> "each tag once: " + services.get(name));
        assertTrue(consul.discovery().services(QueryOptions.datacenter("dc1")).containsKey(name));
    }

    @Test
    void theAgentReportsItsServicesAndTheirChecksAsRegistered() {
        String id = uniqueService("agentview");
        register(ServiceRegistration.builder("agentview").id(id).port(7000).tags(List.of("t"))
                .meta(Map.of("k", "v")).check(CheckDefinition.ttl(Duration.ofMinutes(5)).build()).build());
        AgentService service = consul.agent().service(id).orElseThrow();
        assertEquals(new AgentService(id, "agentview", List.of("t"), Map.of("k", "v"), "", 7000), service);
        assertEquals(service, consul.agent().services().get(id));

        AgentCheck check = consul.agent().checks().get("service:" + id);
        assertEquals(CheckStatus.CRITICAL, check.status(), "a TTL check starts critical unless told otherwise");
        assertEquals(id, check.serviceId());

        consul.agent().warnCheck("service:" + id, "slow");
        assertEquals(CheckStatus.WARNING, consul.agent().checks().get("service:" + id).status());
        assertEquals("slow", consul.agent().checks().get("service:" + id).output());
        consul.agent().updateCheck("service:" + id, CheckStatus.PASSING, "all good");
        assertEquals(CheckStatus.PASSING, consul.agent().checks().get("service:" + id).status());
        assertEquals("all good", consul.agent().checks().get("service:" + id).output());
        consul.agent().failCheck("service:" + id, "down");
        assertEquals(CheckStatus.CRITICAL, consul.agent().checks().get("service:" + id).status());

        consul.agent().deregister(id);
        assertTrue(consul.agent().service(id).isEmpty());
        assertTrue(consul.agent().checks().get("service:" + id) == null, "its checks go with it");
    }

    @Test
    void maintenanceAddsACriticalCheckOfTheServiceAndRemovesItWhenItEnds() {
        String id = uniqueService("maintained");
        register(instance(id, id, 1, CheckStatus.PASSING).build());
        consul.agent().enableMaintenance(id, "deploying v2");
        AgentCheck maintenance = consul.agent().checks().get("_service_maintenance:" + id);
        assertEquals(CheckStatus.CRITICAL, maintenance.status());
        assertEquals(id, maintenance.serviceId());
        await().atMost(CATALOG).until(() -> consul.discovery().service(id).isEmpty());
        consul.agent().disableMaintenance(id);
        assertTrue(consul.agent().checks().get("_service_maintenance:" + id) == null);
        await().atMost(CATALOG).until(() -> consul.discovery().service(id).size() == 1);
    }

    @Test
    void filterNodeMetaNearAndCachedSelectAsTheAgentDoes() {
        String name = uniqueService("options");
        register(instance(name, name + "-1", 8081, CheckStatus.PASSING).meta(Map.of("version", "1")).tags(List.of("a")).build());
        register(instance(name, name + "-2", 8082, CheckStatus.PASSING).meta(Map.of("version", "2")).build());
        await().atMost(CATALOG).until(() -> consul.discovery().service(name).size() == 2);

        assertEquals(Set.of(name + "-2"), ids(consul.discovery().service(name,
                QueryOptions.builder().filter("Service.Meta.version == \"2\"").build())));
        assertEquals(Set.of(name + "-1"), ids(consul.discovery().service(name,
                QueryOptions.builder().filter("\"a\" in Service.Tags and Service.Port == 8081").build())));
        assertEquals(Set.of(name + "-1", name + "-2"), ids(consul.discovery().service(name,
                QueryOptions.builder().filter("Service.Meta.version == \"1\" or not (Service.Tags contains \"a\")").build())));
        // every node carries consul-network-segment, empty outside Enterprise network segments
        assertEquals(Set.of(name + "-1", name + "-2"), ids(consul.discovery().service(name,
                QueryOptions.builder().nodeMeta("consul-network-segment", "").near("_agent").build())));
        assertEquals(List.of(), consul.discovery().service(name,
                QueryOptions.builder().nodeMeta("consul-network-segment", "elsewhere").build()));
        assertTrue(consul.discovery().services(QueryOptions.builder().filter("ServiceMeta.version == \"2\"").build())
                .containsKey(name));
        assertTrue(consul.discovery().services(QueryOptions.builder().filter("ServiceMeta.version == \"9\"").build())
                .keySet().stream().noneMatch(name::equals));
        assertTrue(consul.discovery().services(QueryOptions.builder().nodeMeta("consul-network-segment", "x").build()).isEmpty());

        QueryOptions cached = QueryOptions.builder().cached(Duration.ofSeconds(30)).staleIfError(Duration.ofMinutes(1)).build();
        assertEquals(Set.of(name + "-1", name + "-2"), ids(consul.discovery().service(name, cached)));
        assertEquals(Set.of(name + "-1", name + "-2"), ids(consul.discovery().service(name, cached)), "a second, cached answer");
        assertTrue(consul.discovery().services(QueryOptions.builder().cached().build()).containsKey(name));
    }

    private static Set<String> ids(List<ServiceInstance> instances) {
        return instances.stream().map(ServiceInstance::id).collect(Collectors.toSet());
    }
}
