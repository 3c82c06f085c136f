package io.github.consulservlet.internal.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mockserver.model.HttpRequest;

import io.github.consulservlet.ConsistencyMode;

/** The exact requests of watches: a plain read, then blocking reads carrying index and wait. */
class BlockingQueryContractTest extends ContractTest {

    private List<Map<String, String>> firstTwoQueries(String path) {
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.requestCount() >= 2);
        HttpRequest[] sent = agent.server.retrieveRecordedRequests(null);
        for (HttpRequest request : sent) {
            assertEquals(path, request.getPath().getValue());
            assertEquals(List.of(MockAgent.TOKEN), request.getHeader("X-Consul-Token"));
        }
        return List.of(MockAgent.query(sent[0]), MockAgent.query(sent[1]));
    }

    private ConsulClient watchingClient() {
        client.close();
        client = agent.clientBuilder().blockingQueryWait(Duration.ofSeconds(90)).datacenter("dc1")
                .consistencyMode(ConsistencyMode.STALE).build();
        return client;
    }

    @Test
    void kv() {
        agent.answer("GET", "/v1/kv/config/db", 200, FakeAgent.kvBody("config/db", "x", 42));

        watchingClient().kv().watch("config/db", value -> { });

        assertEquals(List.of(Map.of("dc", "dc1", "stale", ""),
                Map.of("dc", "dc1", "stale", "", "index", "42", "wait", "90s")), firstTwoQueries("/v1/kv/config/db"));
    }

    @Test
    void kvPrefix() {
        agent.answer("GET", "/v1/kv/config/", 200, "[]");

        watchingClient().kv().watchPrefix("config/", value -> { });

        assertEquals(List.of(Map.of("recurse", "", "dc", "dc1", "stale", ""),
                Map.of("recurse", "", "dc", "dc1", "stale", "", "index", "42", "wait", "90s")),
                firstTwoQueries("/v1/kv/config/"));
    }

    @Test
    void health() {
        agent.answer("GET", "/v1/health/service/shop", 200, "[]");

        watchingClient().discovery().watch("shop", instances -> { });

        assertEquals(List.of(Map.of("passing", "", "dc", "dc1", "stale", ""),
                Map.of("passing", "", "dc", "dc1", "stale", "", "index", "42", "wait", "90s")),
                firstTwoQueries("/v1/health/service/shop"));
    }

    @Test
    void catalog() {
        agent.answer("GET", "/v1/catalog/services", 200, "{}");

        watchingClient().discovery().watchServices(services -> { });

        assertEquals(List.of(Map.of("dc", "dc1", "stale", ""),
                Map.of("dc", "dc1", "stale", "", "index", "42", "wait", "90s")), firstTwoQueries("/v1/catalog/services"));
    }
}
