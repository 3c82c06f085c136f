package io.github.consulservlet.internal.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.ConsistencyMode;
import io.github.consulservlet.ConsulResponseException;
import io.github.consulservlet.QueryOptions;
import io.github.consulservlet.ServiceInstance;

class DiscoveryContractTest extends ContractTest {
    // Shape of https://developer.hashicorp.com/consul/api-docs/health#list-service-instances-for-service
    private static final String HEALTH = """
            [{"Node": {"ID": "40e4a748", "Node": "web1", "Address": "10.1.10.12", "Datacenter": "dc1",
                       "TaggedAddresses": {"lan": "10.1.10.12"}, "Meta": {"instance_type": "t2.medium"}},
              "Service": {"ID": "shop-web1-8080", "Service": "shop", "Tags": ["v2"], "Address": "",
                          "Meta": {"version": "2"}, "Port": 8080, "Weights": {"Passing": 10, "Warning": 1},
                          "Namespace": "default"},
              "Checks": [{"Node": "web1", "CheckID": "service:shop-web1-8080", "Status": "passing"}]},
             {"Node": {"Node": "web2", "Address": "10.1.10.13", "Datacenter": "dc1"},
              "Service": {"ID": "shop-web2-8080", "Service": "shop", "Tags": null, "Address": "127.0.0.1",
                          "Meta": null, "Port": 8081},
              "Checks": []}]""";


    @Test
    void servicesReadsTheCatalog() {
        agent.answer("GET", "/v1/catalog/services", 200, "{\"consul\": [], \"shop\": [\"v2\", \"blue\"]}");

        Map<String, List<String>> services = client.discovery().services(QueryOptions.datacenter("dc2"));

        agent.assertOnly("GET", "/v1/catalog/services", Map.of("dc", "dc2"));
        assertEquals(Map.of("consul", List.of(), "shop", List.of("v2", "blue")), services);
    }

    @Test
    void serviceAsksForPassingInstancesOnly() {
        agent.answer("GET", "/v1/health/service/shop", 200, HEALTH);

        List<ServiceInstance> instances = client.discovery().service("shop");

        agent.assertOnly("GET", "/v1/health/service/shop", Map.of("passing", ""));
        assertEquals(List.of(
                new ServiceInstance("shop-web1-8080", "shop", "10.1.10.12", 8080, List.of("v2"),
                        Map.of("version", "2"), "web1", "dc1"),
                new ServiceInstance("shop-web2-8080", "shop", "127.0.0.1", 8081, List.of(), Map.of(), "web2", "dc1")),
                instances);
    }

    @Test
    void serviceWithTagDatacenterAndStaleReads() {
        agent.answer("GET", "/v1/health/service/shop", 200, "[]");

        List<ServiceInstance> instances = client.discovery().service("shop", "v2",
                QueryOptions.builder().datacenter("dc2").consistency(ConsistencyMode.STALE).build());

        agent.assertOnly("GET", "/v1/health/service/shop", Map.of("passing", "", "tag", "v2", "dc", "dc2", "stale", ""));
        assertEquals(List.of(), instances);
    }

    @Test
    void discoveryOptionsAreSentAsConsulNamesThem() {
        agent.answer("GET", "/v1/health/service/shop", 200, "[]");

        client.discovery().service("shop", QueryOptions.builder().filter("Service.Meta.version == \"2\"").near("_agent")
                .nodeMeta("rack", "r1").nodeMeta("zone", "a:b").build());

        agent.assertOnly("GET", "/v1/health/service/shop", Map.of("passing", "", "near", "_agent",
                "node-meta", "rack:r1,zone:a:b", "filter", "Service.Meta.version == \"2\""));
    }

    @Test
    void cachedReadsSendTheirLimitsInCacheControl() {
        agent.answer("GET", "/v1/health/service/shop", 200, "[]");
        client.discovery().service("shop", QueryOptions.builder().cached(Duration.ofSeconds(30))
                .staleIfError(Duration.ofMinutes(5)).build());
        assertEquals(List.of("max-age=30, stale-if-error=300"),
                agent.assertOnly("GET", "/v1/health/service/shop", Map.of("passing", "", "cached", "")).getHeader("Cache-Control"));
    }

    @Test
    void aCachedReadWithoutLimitsSendsNoCacheControlAndTheCatalogTakesNoNear() {
        agent.answer("GET", "/v1/catalog/services", 200, "{}");
        client.discovery().services(QueryOptions.builder().cached().near("web1").nodeMeta("rack", "r1")
                .filter("ServiceName != \"consul\"").build());
        assertEquals(List.of(), agent.assertOnly("GET", "/v1/catalog/services", Map.of("cached", "", "node-meta", "rack:r1",
                "filter", "ServiceName != \"consul\"")).getHeader("Cache-Control"));
    }

    @Test
    void optionsAreCheckedWhereTheyAreGiven() {
        assertThrows(IllegalArgumentException.class, () -> QueryOptions.builder().cached(Duration.ofMillis(1500)));
        assertThrows(IllegalArgumentException.class, () -> QueryOptions.builder().staleIfError(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> QueryOptions.builder().nodeMeta("a:b", "c"));
        assertThrows(IllegalArgumentException.class, () -> QueryOptions.builder().filter(" "));
        assertEquals(QueryOptions.builder().cached().build(), QueryOptions.builder().cached().build());
        assertTrue(QueryOptions.builder().staleIfError(Duration.ofSeconds(5)).build().cached(), "stale-if-error asks the cache");
        assertEquals(QueryOptions.DEFAULT, QueryOptions.builder().build());
    }

    @Test
    void anAbsentResultIsNoInstanceAndABodyThatIsNotJsonSaysSo() {
        agent.answer("GET", "/v1/health/service/shop", 200, "null");
        assertEquals(List.of(), client.discovery().service("shop"));
        agent.answer("GET", "/v1/health/service/empty", 200, "");
        assertThrows(ConsulResponseException.class, () -> client.discovery().service("empty"),
                "an empty 200 is no answer (Consul answers null or []), not an empty list");
        agent.answer("GET", "/v1/health/service/decimal", 200, "[{\"Service\": {\"ID\": \"d-1\", \"Port\": 8080.0}}]");
        assertEquals(8080, client.discovery().service("decimal").get(0).port());
        agent.answer("GET", "/v1/health/service/trailing", 200, "[] []");
        assertThrows(ConsulResponseException.class, () -> client.discovery().service("trailing"));

        agent.answer("GET", "/v1/health/service/cart", 200, "[{\"Node\": {\"Node\": \"web1\"}, \"Service\": <html>");
        ConsulResponseException error = assertThrows(ConsulResponseException.class,
                () -> client.discovery().service("cart"));
        assertEquals(200, error.status());
        assertTrue(error.getMessage().contains("answered HTTP 200 with '[{\"Node\"")
                && error.getMessage().contains("where it answers JSON"), error.getMessage());
    }
}
