package io.github.consulservlet.internal.client;

import static io.github.consulservlet.internal.client.HostileAgentTest.failsWithin;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulResponseException;
import io.github.consulservlet.ConsulServerException;
import io.github.consulservlet.KvEntry;
import io.github.consulservlet.ServiceInstance;
import io.github.consulservlet.SessionInfo;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;

/**
 * Successes whose body is not what their endpoint answers (HTML, {@code OK}, broken JSON), and
 * answers with one bad entry: each is an exception naming the endpoint, or, for one bad entry
 * among good ones, that entry left out with a warning naming it (unless the client is strict).
 */
class HostileAnswersTest {
    private static final Logger CLIENT_LOG = Logger.getLogger(ConsulClient.class.getName());
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            warnings.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private HostileAgent agent;
    private ConsulClient client;
    private ConsulClient strict;

    @BeforeEach
    void start() throws IOException {
        CLIENT_LOG.addHandler(capture);
        CLIENT_LOG.setUseParentHandlers(false); // the expected warnings are checked here, not printed
        agent = new HostileAgent();
        client = ConsulClient.builder().agents(agent.url())
                .retryBackoff(Duration.ofMillis(100), Duration.ofMillis(400)).build();
        strict = ConsulClient.builder().agents(agent.url()).strictAnswers(true).build();
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        strict.close();
        agent.close();
        CLIENT_LOG.removeHandler(capture);
        CLIENT_LOG.setUseParentHandlers(true);
    }

    private static ConsulResponseException malformed(String endpoint, String quoted, Executable call) {
        ConsulResponseException e = failsWithin(ConsulResponseException.class, call);
        assertEquals(200, e.status(), e::getMessage);
        assertTrue(e.getMessage().startsWith(endpoint + " answered HTTP 200 with ") && e.getMessage().contains(quoted),
                e.getMessage());
        return e;
    }

    @Test
    void htmlOrOkInsteadOfTheEndpointsAnswerIsAnError() {
        String html = "<html><body>Welcome to the proxy</body></html>";
        for (String path : List.of("/v1/kv/key", "/v1/kv/app", "/v1/catalog/services", "/v1/health/service/web",
                "/v1/session/list", "/v1/agent/services")) {
            agent.on(path, HostileAgent.fixed(200, "3", html));
        }
        for (String path : List.of("/v1/kv/written", "/v1/session/destroy/abc", "/v1/agent/service/register",
                "/v1/agent/check/pass/web", "/v1/session/renew/abc", "/v1/session/create")) {
            agent.on(path, HostileAgent.fixed(200, "", "OK"));
        }
        malformed("GET /v1/kv/key", "Welcome", () -> client.kv().get("key"));
        malformed("GET /v1/kv/app", "Welcome", () -> client.kv().getAll("app"));
        malformed("GET /v1/kv/app", "Welcome", () -> client.kv().keys("app"));
        malformed("GET /v1/catalog/services", "Welcome", () -> client.discovery().services());
        malformed("GET /v1/health/service/web", "Welcome", () -> client.discovery().service("web"));
        malformed("GET /v1/session/list", "Welcome", () -> client.sessions().list());
        malformed("GET /v1/agent/services", "Welcome", () -> client.agent().services());
        malformed("PUT /v1/kv/written", "'OK' where it answers true or false", () -> client.kv().set("written", "v"));
        malformed("DELETE /v1/kv/written", "'OK'", () -> client.kv().delete("written"));
        malformed("PUT /v1/session/destroy/abc", "'OK'", () -> client.sessions().destroy("abc"));
        malformed("PUT /v1/session/renew/abc", "'OK'", () -> client.sessions().renew("abc"));
        malformed("PUT /v1/session/create", "'OK'", () -> client.sessions().create());
        malformed("PUT /v1/agent/service/register", "'OK' where it answers an empty body",
                () -> client.agent().register(ServiceRegistration.builder("web").id("web-1").port(8080).build()));
        malformed("PUT /v1/agent/check/pass/web", "'OK'", () -> client.agent().passCheck("web", "fine"));
    }

    @Test
    void malformedJsonIsAnErrorWithItsStatusAndCause() {
        agent.on("/v1/kv/key", HostileAgent.fixed(200, "3", "[{\"Key\":"));
        agent.on("/v1/health/service/web", HostileAgent.fixed(200, "3", "[{\"Service\":{\"Port\":"));
        assertTrue(malformed("GET /v1/kv/key", "'[{\"Key\":' where it answers JSON: it ends early at line 1 column 9",
                () -> client.kv().get("key")).getCause() != null);
        assertTrue(malformed("GET /v1/health/service/web", "where it answers JSON of its form: it ends early at line 1"
                + " column 21 ($[0].Service.Port)", () -> client.discovery().service("web")).getCause() != null);
    }

    @Test
    void aPageInsteadOfJsonSaysWhereItStopsBeingJsonInOneLine() {
        agent.on("/v1/kv/key", HostileAgent.fixed(200, "3", "<html><body>Welcome to the proxy</body></html>"));
        String message = malformed("GET /v1/kv/key", "where it answers JSON: it stops being JSON at line 1 column",
                () -> client.kv().get("key")).getMessage();
        assertTrue(!message.contains("\n") && !message.contains("Strictness") && !message.contains("https://"), message);
    }

    @Test
    void anErrorMessageQuotesAtMost512CharactersOfTheBody() {
        agent.on("/v1/kv/key", HostileAgent.fixed(500, "", "x".repeat(20_000)));
        ConsulServerException e = failsWithin(ConsulServerException.class, () -> client.kv().get("key"));
        assertTrue(e.getMessage().length() < 600 && e.getMessage().endsWith("... (20000 characters)"), e.getMessage());
        agent.on("/v1/kv/key", HostileAgent.fixed(200, "", "<p>" + "y".repeat(20_000)));
        ConsulResponseException bad = failsWithin(ConsulResponseException.class, () -> client.kv().get("key"));
        assertTrue(bad.getMessage().length() < 700 && bad.getMessage().contains("... (20003 characters)"),
                bad.getMessage());
    }

    @Test
    void aValueThatIsNotBase64IsReportedByKeyAndLeftOutUnlessStrict() {
        agent.on("/v1/kv/app", HostileAgent.fixed(200, "3", "[" + entry("app/a", "YQ==") + ","
                + entry("app/bad", "not*base64") + "," + entry("app/c", "Yw==") + "]"));
        agent.on("/v1/kv/app/bad", HostileAgent.fixed(200, "3", "[" + entry("app/bad", "not*base64") + "]"));

        List<KvEntry> read = client.kv().getAll("app");
        assertEquals(List.of("app/a", "app/c"), read.stream().map(KvEntry::key).toList());
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("GET /v1/kv/app") && warnings.get(0).contains("key 'app/bad'")
                && warnings.get(0).contains("not base64"), warnings.get(0));
        ConsulResponseException e = failsWithin(ConsulResponseException.class, () -> strict.kv().getAll("app"));
        assertTrue(e.getMessage().contains("key 'app/bad'"), e.getMessage());
        ConsulResponseException one = failsWithin(ConsulResponseException.class, () -> client.kv().get("app/bad"));
        assertTrue(one.getMessage().contains("GET /v1/kv/app/bad") && one.getMessage().contains("key 'app/bad'"),
                one.getMessage());
    }

    @Test
    void sessionTtlsAreReadAsGoDoesAndABadOneIsReportedBySession() {
        agent.on("/v1/session/list", HostileAgent.fixed(200, "3", "[" + session("s1", "+30s") + ","
                + session("s2", "forever") + "," + session("s3", "1h2m3.5s") + "," + session("s4", "1500\u00b5s")
                + "]"));
        agent.on("/v1/session/info/s2", HostileAgent.fixed(200, "3", "[" + session("s2", "forever") + "]"));

        List<SessionInfo> sessions = client.sessions().list();
        assertEquals(List.of("s1", "s3", "s4"), sessions.stream().map(SessionInfo::id).toList());
        assertEquals(List.of(Optional.of(Duration.ofSeconds(30)), Optional.of(Duration.ofMillis(3_723_500)),
                Optional.of(Duration.ofNanos(1_500_000))), sessions.stream().map(SessionInfo::ttl).toList());
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("GET /v1/session/list") && warnings.get(0).contains("session 's2'"),
                warnings.get(0));
        failsWithin(ConsulResponseException.class, () -> strict.sessions().list());
        ConsulResponseException one = failsWithin(ConsulResponseException.class, () -> client.sessions().info("s2"));
        assertTrue(one.getMessage().contains("session 's2'"), one.getMessage());
    }

    @Test
    void aPortOutOfRangeIsReportedNotWrapped() {
        agent.on("/v1/health/service/web", HostileAgent.fixed(200, "3", "[" + instance("web-1", "8080") + ","
                + instance("web-2", "70000") + "]"));
        agent.on("/v1/agent/services", HostileAgent.fixed(200, "", "{\"web-2\":{\"ID\":\"web-2\",\"Port\":-1}}"));

        List<ServiceInstance> instances = client.discovery().service("web");
        assertEquals(List.of(8080), instances.stream().map(ServiceInstance::port).toList());
        assertTrue(client.agent().services().isEmpty());
        assertEquals(2, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("instance 'web-2'") && warnings.get(0).contains("70000"), warnings.get(0));
        assertTrue(warnings.get(1).contains("service 'web-2'"), warnings.get(1));
        failsWithin(ConsulResponseException.class, () -> strict.discovery().service("web"));
    }

    @Test
    void aWatchAnswerWithABadIndexIsAnErrorNotData() {
        agent.on("/v1/kv/key", HostileAgent.fixed(200, "abc", FakeAgent.kvBody("key", "value", 3)));
        WatchTest.Recorder watch = new WatchTest.Recorder();
        client.kv().watch("key", watch);
        await().atMost(Duration.ofSeconds(10)).until(() -> !watch.errors.isEmpty());
        ConsulException error = watch.errors.get(0);
        assertInstanceOf(ConsulResponseException.class, error);
        assertTrue(error.getMessage().contains("GET /v1/kv/key") && error.getMessage().contains("X-Consul-Index"),
                error.getMessage());
        assertTrue(watch.values.isEmpty(), watch.values::toString);
    }

    private static String entry(String key, String value) {
        return "{\"Key\":\"" + key + "\",\"Value\":\"" + value + "\",\"Flags\":0,\"CreateIndex\":1,\"ModifyIndex\":2}";
    }

    private static String session(String id, String ttl) {
        return "{\"ID\":\"" + id + "\",\"Node\":\"n\",\"TTL\":\"" + ttl + "\",\"Behavior\":\"release\"}";
    }

    private static String instance(String id, String port) {
        return "{\"Node\":{\"Node\":\"n\",\"Address\":\"10.0.0.1\"},\"Service\":{\"ID\":\"" + id
                + "\",\"Service\":\"web\",\"Port\":" + port + "}}";
    }
}
