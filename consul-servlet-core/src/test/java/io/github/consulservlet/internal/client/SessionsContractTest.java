package io.github.consulservlet.internal.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.QueryOptions;
import io.github.consulservlet.SessionBehavior;
import io.github.consulservlet.SessionInfo;
import io.github.consulservlet.SessionOptions;

class SessionsContractTest extends ContractTest {
    // https://developer.hashicorp.com/consul/api-docs/session#read-session: LockDelay comes back in nanoseconds.
    private static final String SESSION = """
            [{"ID": "adf4238a-882b-9ddc-4a9d-5b6758e4159e", "Name": "leader", "Node": "web1",
              "LockDelay": 1500000000, "Behavior": "delete", "TTL": "30s",
              "NodeChecks": ["serfHealth"], "ServiceChecks": [{"ID": "service:shop-1", "Namespace": ""}],
              "CreateIndex": 1086449, "ModifyIndex": 1086450}]""";


    @Test
    void createSendsLockDelayAsADurationString() {
        agent.answer("PUT", "/v1/session/create", 200, "{\"ID\": \"adf4238a-882b-9ddc-4a9d-5b6758e4159e\"}");

        String id = client.sessions().create(SessionOptions.builder().lockDelay(Duration.ofSeconds(15))
                .name("leader").node("web1").checks(List.of("serfHealth", "service:shop-1"))
                .ttl(Duration.ofSeconds(30)).behavior(SessionBehavior.DELETE).datacenter("dc2").build());

        assertEquals("adf4238a-882b-9ddc-4a9d-5b6758e4159e", id);
        AgentContractTest.assertJson("""
                {"LockDelay": "15s", "Name": "leader", "Node": "web1", "Checks": ["serfHealth", "service:shop-1"],
                 "Behavior": "delete", "TTL": "30s"}""",
                agent.assertOnly("PUT", "/v1/session/create", Map.of("dc", "dc2")));
    }

    @Test
    void createWithDefaultsSendsAnEmptyObject() {
        agent.answer("PUT", "/v1/session/create", 200, "{\"ID\": \"s1\"}");

        assertEquals("s1", client.sessions().create());

        AgentContractTest.assertJson("{}", agent.assertOnly("PUT", "/v1/session/create", Map.of()));
    }

    @Test
    void infoReadsLockDelayInNanoseconds() {
        agent.answer("GET", "/v1/session/info/adf4238a", 200, SESSION);

        SessionInfo info = client.sessions().info("adf4238a", QueryOptions.datacenter("dc1")).orElseThrow();

        agent.assertOnly("GET", "/v1/session/info/adf4238a", Map.of("dc", "dc1"));
        assertEquals(new SessionInfo("adf4238a-882b-9ddc-4a9d-5b6758e4159e", "leader", "web1",
                List.of("serfHealth", "service:shop-1"), Duration.ofMillis(1500), SessionBehavior.DELETE,
                Optional.of(Duration.ofSeconds(30)), 1086449, 1086450), info);
    }

    @Test
    void infoOfAnUnknownSessionIsEmpty() {
        agent.answer("GET", "/v1/session/info/gone", 200, "null");

        assertEquals(Optional.empty(), client.sessions().info("gone"));
    }

    @Test
    void nodeAndList() {
        agent.answer("GET", "/v1/session/node/web1", 200, SESSION);
        agent.answer("GET", "/v1/session/list", 200, "[]");

        assertEquals(1, client.sessions().node("web1").size());
        assertEquals(List.of(), client.sessions().list(QueryOptions.datacenter("dc3")));
        List<String> paths = List.of(agent.server.retrieveRecordedRequests(null)).stream()
                .map(r -> r.getPath().getValue() + MockAgent.query(r)).toList();
        assertEquals(List.of("/v1/session/node/web1{}", "/v1/session/list{dc=dc3}"), paths);
    }

    @Test
    void destroy() {
        agent.answer("PUT", "/v1/session/destroy/s1", 200, "true");

        client.sessions().destroy("s1");

        agent.assertOnly("PUT", "/v1/session/destroy/s1", Map.of());
    }

    @Test
    void renewAnswersTheSessionOrEmptyOnceItExpired() {
        agent.answer("PUT", "/v1/session/renew/live", 200, SESSION);
        agent.answer("PUT", "/v1/session/renew/expired", 404, "Session id 'expired' not found");

        assertEquals(Duration.ofSeconds(30), client.sessions().renew("live").orElseThrow().ttl().orElseThrow());
        assertEquals(Optional.empty(), client.sessions().renew("expired"));
    }

    @Test
    void optionsRefuseWhatConsulRefuses() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SessionOptions.builder().ttl(Duration.ofSeconds(5)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SessionOptions.builder().lockDelay(Duration.ofSeconds(61)));
    }
}
