package io.github.consulservlet.internal.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.mockserver.model.HttpRequest;

import io.github.consulservlet.ConsulNotFoundException;
import io.github.consulservlet.internal.client.agent.AgentCheck;
import io.github.consulservlet.internal.client.agent.AgentService;
import io.github.consulservlet.internal.client.agent.CheckDefinition;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;

class AgentContractTest extends ContractTest {

    @Test
    void registerSendsServiceAndHttpCheckInOneRequest() {
        agent.answer("PUT", "/v1/agent/service/register", 200, "");

        client.agent().register(ServiceRegistration.builder("shop").id("shop-web1-8080").port(8080)
                .tags(List.of("v2", "blue")).meta(Map.of("version", "2.1", "owner", "team-a"))
                .check(CheckDefinition.http("http://127.0.0.1:8080/shop/consul/health", Duration.ofSeconds(10))
                        .timeout(Duration.ofSeconds(5)).status(CheckStatus.CRITICAL)
                        .deregisterCriticalServiceAfter(Duration.ofMinutes(90)).name("shop liveness").build())
                .replaceExistingChecks(true)
                .build());

        HttpRequest sent = agent.assertOnly("PUT", "/v1/agent/service/register", Map.of("replace-existing-checks", "true"));
        assertJson("""
                {"ID": "shop-web1-8080", "Name": "shop", "Tags": ["v2", "blue"], "Address": "", "Port": 8080,
                 "Meta": {"owner": "team-a", "version": "2.1"},
                 "Check": {"Name": "shop liveness", "HTTP": "http://127.0.0.1:8080/shop/consul/health",
                           "Interval": "10s", "Timeout": "5s", "Status": "critical",
                           "DeregisterCriticalServiceAfter": "5400s"}}""", sent);
    }

    @Test
    void registerWithSeveralChecksSendsChecks() {
        agent.answer("PUT", "/v1/agent/service/register", 200, "");

        client.agent().register(ServiceRegistration.builder("api").port(9000).address("127.0.0.1")
                .check(CheckDefinition.ttl(Duration.ofSeconds(30)).id("api-ttl").notes("reported in-process").build())
                .check(CheckDefinition.http("http://127.0.0.1:9000/health", Duration.ofMillis(1500)).build())
                .build());

        HttpRequest sent = agent.assertOnly("PUT", "/v1/agent/service/register", Map.of());
        assertJson("""
                {"Name": "api", "Address": "127.0.0.1", "Port": 9000,
                 "Checks": [{"CheckID": "api-ttl", "TTL": "30s", "Notes": "reported in-process"},
                            {"HTTP": "http://127.0.0.1:9000/health", "Interval": "1500ms"}]}""", sent);
    }

    @Test
    void deregister() {
        agent.answer("PUT", "/v1/agent/service/deregister/shop-web1-8080", 200, "");

        client.agent().deregister("shop-web1-8080");

        agent.assertOnly("PUT", "/v1/agent/service/deregister/shop-web1-8080", Map.of());
    }

    @Test
    void maintenanceOnWithAReasonAndOff() {
        agent.answer("PUT", "/v1/agent/service/maintenance/shop-1", 200, "");

        client.agent().enableMaintenance("shop-1", "draining before undeploy");
        agent.assertOnly("PUT", "/v1/agent/service/maintenance/shop-1",
                Map.of("enable", "true", "reason", "draining before undeploy"));
        agent.server.clear(org.mockserver.model.HttpRequest.request(), org.mockserver.model.ClearType.LOG);

        client.agent().disableMaintenance("shop-1");
        agent.assertOnly("PUT", "/v1/agent/service/maintenance/shop-1", Map.of("enable", "false"));
    }

    @Test
    void ttlChecksPassWarnAndFailWithANote() {
        agent.answer("PUT", "/v1/agent/check/.*", 200, "");

        client.agent().passCheck("service:shop-1", "200 OK");
        client.agent().warnCheck("service:shop-1", "slow");
        client.agent().failCheck("service:shop-1", "503 draining");

        HttpRequest[] sent = agent.server.retrieveRecordedRequests(null);
        assertEquals(List.of("/v1/agent/check/pass/service%3Ashop-1", "/v1/agent/check/warn/service%3Ashop-1",
                "/v1/agent/check/fail/service%3Ashop-1"),
                List.of(sent).stream().map(r -> r.getPath().getValue()).toList());
        assertEquals(List.of("200 OK", "slow", "503 draining"),
                List.of(sent).stream().map(r -> MockAgent.query(r).get("note")).toList());
    }

    @Test
    void updateCheckSendsStatusAndOutput() {
        agent.answer("PUT", "/v1/agent/check/update/service%3Ashop-1", 200, "");

        client.agent().updateCheck("service:shop-1", CheckStatus.WARNING, "degraded: cache cold");

        assertJson("{\"Status\": \"warning\", \"Output\": \"degraded: cache cold\"}",
                agent.assertOnly("PUT", "/v1/agent/check/update/service%3Ashop-1", Map.of()));
    }

    @Test
    void aTtlUpdateForACheckTheAgentForgotIsNotFound() {
        agent.answer("PUT", "/v1/agent/check/pass/service%3Agone", 404, "Unknown check ID \"service:gone\"");

        ConsulNotFoundException e = assertThrows(ConsulNotFoundException.class,
                () -> client.agent().passCheck("service:gone", "ok"));
        assertEquals("Unknown check ID \"service:gone\"", e.consulMessage());
    }

    @Test
    void listsServicesAndChecks() {
        // Shapes from https://developer.hashicorp.com/consul/api-docs/agent/service#list-services
        agent.answer("GET", "/v1/agent/services", 200, """
                {"shop-1": {"Kind": "", "ID": "shop-1", "Service": "shop", "Tags": ["v2"], "Meta": {"a": "b"},
                            "Port": 8080, "Address": "", "Weights": {"Passing": 10, "Warning": 1},
                            "EnableTagOverride": false, "Datacenter": "dc1"}}""");
        agent.answer("GET", "/v1/agent/checks", 200, """
                {"service:shop-1": {"Node": "n1", "CheckID": "service:shop-1", "Name": "Service 'shop' check",
                  "Status": "passing", "Notes": "", "Output": "HTTP GET ...: 200 OK", "ServiceID": "shop-1",
                  "ServiceName": "shop", "ServiceTags": ["v2"], "Type": "http", "ExposedPort": 0}}""");

        assertEquals(Map.of("shop-1", new AgentService("shop-1", "shop", List.of("v2"), Map.of("a", "b"), "", 8080)),
                client.agent().services());
        assertEquals(Map.of("service:shop-1", new AgentCheck("service:shop-1", "Service 'shop' check",
                CheckStatus.PASSING, "HTTP GET ...: 200 OK", "shop-1", "shop")), client.agent().checks());
    }

    @Test
    void oneServiceOrEmptyWhenTheAgentDoesNotHaveIt() {
        agent.answer("GET", "/v1/agent/service/shop-1", 200,
                "{\"ID\": \"shop-1\", \"Service\": \"shop\", \"Port\": 8080, \"Address\": \"\", \"ContentHash\": \"x\"}");
        agent.answer("GET", "/v1/agent/service/gone", 404, "unknown service ID: gone");

        assertEquals(8080, client.agent().service("shop-1").orElseThrow().port());
        assertEquals(Optional.empty(), client.agent().service("gone"));
    }

    @Test
    void registrationsRefuseWhatConsulWouldRefuse() {
        assertThrows(IllegalArgumentException.class, () -> ServiceRegistration.builder(" "));
        assertThrows(IllegalArgumentException.class, () -> ServiceRegistration.builder("a").port(70000));
        assertThrows(IllegalArgumentException.class, () -> CheckDefinition.ttl(Duration.ofSeconds(10))
                .deregisterCriticalServiceAfter(Duration.ofSeconds(30)));
        assertThrows(IllegalStateException.class, () -> CheckDefinition.ttl(Duration.ofSeconds(10))
                .timeout(Duration.ofSeconds(1)));
    }

    static void assertJson(String expected, HttpRequest sent) {
        assertEquals(JsonParser.parseString(expected), JsonParser.parseString(sent.getBodyAsString()));
    }
}
