package io.github.consulservlet.internal.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockserver.model.HttpRequest.request;
import static org.mockserver.model.HttpResponse.response;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockserver.matchers.Times;
import org.mockserver.model.Delay;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulUnreachableException;
import io.github.consulservlet.KvEntry;
import io.github.consulservlet.internal.client.tls.TlsSettings;
import io.github.consulservlet.internal.client.tls.TlsTest;

class TransportTest {
    private MockAgent agent;
    private ConsulClient client;

    @BeforeEach
    void start() {
        agent = new MockAgent();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        agent.close();
    }

    /** A loopback port that refuses connections: bound to learn a free number, then closed. */
    static int refusingPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void failsOverToTheNextAgentWhenTheFirstRefusesConnections() throws Exception {
        agent.answer("GET", "/v1/kv/k", 200, FakeAgent.kvBody("k", "v", 1));
        client = ConsulClient.builder().agents("127.0.0.1:" + refusingPort() + ", " + agent.url()).build();

        assertEquals("v", client.kv().getString("k").orElseThrow());
        assertEquals("v", client.kv().getString("k").orElseThrow());
        assertEquals(2, agent.requestCount());
    }

    /**
     * An agent that answers each connection's first request, keep-alive, and then closes it, as an
     * agent that restarts or drops idle connections does: the next call finds its pooled
     * connection closed, and is sent again on a new one.
     */
    @Test
    void aCallOnAPooledConnectionTheAgentClosedIsSentAgainOnANewOne() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
            Thread agent = new Thread(() -> {
                while (!server.isClosed()) {
                    try (java.net.Socket connection = server.accept()) {
                        connections.incrementAndGet();
                        var in = new java.io.BufferedReader(new java.io.InputStreamReader(connection.getInputStream(),
                                java.nio.charset.StandardCharsets.ISO_8859_1));
                        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                            // the request's head; a GET has no body
                        }
                        byte[] body = FakeAgent.kvBody("k", "v", 1).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        connection.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                        connection.getOutputStream().write(body);
                        connection.getOutputStream().flush();
                    } catch (IOException e) {
                        return; // the test closed the server
                    }
                }
            }, "closing-agent");
            agent.start();
            client = ConsulClient.builder().agents("127.0.0.1:" + server.getLocalPort()).build();

            for (int call = 1; call <= 3; call++) {
                assertEquals("v", client.kv().getString("k").orElseThrow(), "call " + call);
            }
            assertEquals(3, connections.get(), "one connection a call");
        }
    }

    @Test
    void whenNoAgentAnswersTheErrorNamesEachOne() throws Exception {
        int first = refusingPort();
        int second = refusingPort();
        client = ConsulClient.builder().agents("127.0.0.1:" + first + ",127.0.0.1:" + second).build();

        ConsulUnreachableException e = assertThrows(ConsulUnreachableException.class, () -> client.kv().get("k"));

        assertEquals(0, e.status());
        assertTrue(e.getMessage().startsWith("GET /v1/kv/k got no answer"), e.getMessage());
        assertTrue(e.getMessage().contains("http://127.0.0.1:" + first), e.getMessage());
        assertTrue(e.getMessage().contains("http://127.0.0.1:" + second), e.getMessage());
    }

    @Test
    void anOrdinaryCallTimesOutAfterTheReadTimeout() {
        agent.server.when(request().withPath("/v1/kv/slow"))
                .respond(response().withStatusCode(200).withBody("[]").withDelay(Delay.seconds(5)));
        client = agent.clientBuilder().readTimeout(Duration.ofMillis(300)).build();

        ConsulUnreachableException e = assertThrows(ConsulUnreachableException.class, () -> client.kv().get("slow"));

        assertTrue(e.getMessage().contains("no answer within 300 ms"), e.getMessage());
    }

    @Test
    void aReadTimeoutShorterThanTheBlockingWaitIsCorrectedNotHit() {
        // Consul holds a blocking query for up to wait + wait/16; here it answers after 1.5 s, the read timeout is 500 ms.
        agent.server.when(request().withPath("/v1/kv/k").withQueryStringParameter("index", "5"), Times.once())
                .respond(response().withStatusCode(200).withHeader("X-Consul-Index", "6")
                        .withBody(FakeAgent.kvBody("k", "new", 6)).withDelay(Delay.milliseconds(1500)));
        agent.server.when(request().withPath("/v1/kv/k").withQueryStringParameter("index", "6"))
                .respond(response().withStatusCode(200).withHeader("X-Consul-Index", "6")
                        .withBody(FakeAgent.kvBody("k", "new", 6)).withDelay(Delay.milliseconds(1500)));
        agent.server.when(request().withPath("/v1/kv/k"), Times.once())
                .respond(response().withStatusCode(200).withHeader("X-Consul-Index", "5")
                        .withBody(FakeAgent.kvBody("k", "old", 5)));
        client = agent.clientBuilder().readTimeout(Duration.ofMillis(500)).blockingQueryWait(Duration.ofSeconds(2)).build();
        List<String> values = new CopyOnWriteArrayList<>();
        List<ConsulException> errors = new CopyOnWriteArrayList<>();

        client.kv().watch("k", new io.github.consulservlet.WatchListener<Optional<KvEntry>>() {
            @Override
            public void onChange(Optional<KvEntry> value) {
                values.add(value.orElseThrow().valueAsString());
            }

            @Override
            public void onError(ConsulException error) {
                errors.add(error);
            }
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> values.equals(List.of("old", "new")));
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.requestCount() >= 3);
        assertEquals(List.of(), errors);
    }

    @Test
    void closingTheClientCancelsCallsInFlight() throws Exception {
        agent.server.when(request().withPath("/v1/kv/slow"))
                .respond(response().withStatusCode(200).withBody("[]").withDelay(Delay.seconds(30)));
        client = agent.clientBuilder().readTimeout(Duration.ofSeconds(60)).build();
        CompletableFuture<Object> call = CompletableFuture.supplyAsync(() -> client.kv().get("slow"));
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.requestCount() == 1);

        client.close();

        ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof ConsulUnreachableException, e.getCause().toString());
        assertTrue(e.getCause().getMessage().contains("closed"), e.getCause().getMessage());
        assertThrows(ConsulUnreachableException.class, () -> client.kv().get("k"));
    }

    @Test
    void threadsAreFewNamedDaemonsWithTheExtensionsClassLoader() throws Exception {
        try (FakeAgent fake = new FakeAgent(new KvState("k", "v"))) {
            java.util.Set<Thread> before = java.util.Set.copyOf(Thread.getAllStackTraces().keySet()); // other tests' shared clients
            client = ConsulClient.builder().agents(fake.url()).blockingQueryWait(Duration.ofSeconds(30))
                    .maxConnections(200).build();
            for (int i = 0; i < 100; i++) {
                client.kv().watch("k" + i, value -> { });
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> fake.calls.size() >= 200);
            for (int i = 0; i < 10; i++) {
                assertEquals("v", client.kv().getString("k").orElseThrow()); // on this thread: no thread of their own
            }

            List<Thread> ours = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("consul-servlet-") && !before.contains(t)).toList();
            assertTrue(ours.size() <= 4, "100 watches held by " + ours);
            for (Thread thread : ours) {
                assertTrue(thread.isDaemon(), thread.getName());
                assertEquals(ConsulClient.class.getClassLoader(), thread.getContextClassLoader(), thread.getName());
            }
            client.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> ours.stream().noneMatch(Thread::isAlive));
        }
    }

    @Test
    void watchesBeyondTheirBudgetTakeTurnsAndNeverStarveOrdinaryCalls() throws Exception {
        KvState state = new KvState("k", "1");
        try (FakeAgent fake = new FakeAgent(state)) {
            // A pool of 8: blocking queries may hold 4 connections, 4 stay for ordinary calls.
            client = ConsulClient.builder().agents(fake.url()).maxConnections(8).readTimeout(Duration.ofSeconds(3))
                    .blockingQueryWait(Duration.ofSeconds(2)).build();
            List<List<String>> seen = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 12; i++) {
                List<String> values = new CopyOnWriteArrayList<>();
                seen.add(values);
                client.kv().watch("k" + i, value -> values.add(value.orElseThrow().valueAsString()));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.stream().allMatch(v -> v.equals(List.of("1"))));
            await().atMost(Duration.ofSeconds(5)).until(() -> fake.calls.stream().filter(c -> c.index() > 0).count() >= 4);

            for (int i = 0; i < 10; i++) {
                assertEquals("1", client.kv().getString("k").orElseThrow(), "an ordinary call gets a connection");
            }
            state.set("2");

            await().atMost(Duration.ofSeconds(15)).until(() -> seen.stream().allMatch(v -> v.equals(List.of("1", "2"))));
        }
    }

    @Test
    void anInterruptedCallAfterAFailoverGivesItsConnectionBack() throws Exception {
        agent.server.when(request().withPath("/v1/kv/slow"))
                .respond(response().withStatusCode(200).withBody("[]").withDelay(Delay.seconds(30)));
        agent.answer("GET", "/v1/kv/fast", 200, FakeAgent.kvBody("fast", "v", 1));
        // One connection, and a long read timeout: a cancelled call that kept it would block the next one.
        client = ConsulClient.builder().agents("127.0.0.1:" + refusingPort() + "," + agent.url())
                .maxConnections(1).readTimeout(Duration.ofSeconds(30)).build();
        Thread caller = new Thread(() -> {
            try {
                client.kv().get("slow");
            } catch (ConsulUnreachableException expected) {
                // interrupted
            }
        });
        caller.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.requestCount() == 1);

        caller.interrupt();

        CompletableFuture<String> next = CompletableFuture.supplyAsync(() -> client.kv().getString("fast").orElseThrow());
        assertEquals("v", next.get(5, TimeUnit.SECONDS));
        caller.join(5_000);
        assertFalse(caller.isAlive());
    }

    @Test
    void aCallerAlreadyInterruptedSendsNothingAndStaysInterrupted() {
        agent.answer("GET", "/v1/kv/k", 200, FakeAgent.kvBody("k", "v", 1));
        client = agent.clientBuilder().build();

        Thread.currentThread().interrupt();
        ConsulUnreachableException e;
        try {
            e = assertThrows(ConsulUnreachableException.class, () -> client.kv().get("k"));
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt flag is kept");
        }

        assertTrue(e.getMessage().contains("was interrupted"), e.getMessage());
        assertEquals(0, agent.requestCount());
        assertEquals("v", client.kv().getString("k").orElseThrow(), "the client still works for others");
    }

    @Test
    void anInterruptedCallOverTlsEndsAtOnce() throws Exception {
        com.sun.net.httpserver.HttpsServer tls = TlsTest.httpsAgent();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        tls.createContext("/v1/kv/slow", exchange -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        try {
            client = ConsulClient.builder().agents("https://127.0.0.1:" + tls.getAddress().getPort())
                    .tls(TlsSettings.builder().caFile(TlsTest.fixture("ca.pem"))
                            .clientCertificate(TlsTest.fixture("client.pem"), TlsTest.fixture("client-key.pem")).build())
                    .maxConnections(1).readTimeout(Duration.ofSeconds(30)).build();
            CompletableFuture<Boolean> interruptKept = new CompletableFuture<>();
            Thread caller = new Thread(() -> {
                try {
                    client.kv().get("slow");
                    interruptKept.complete(false);
                } catch (ConsulUnreachableException expected) {
                    interruptKept.complete(Thread.currentThread().isInterrupted() && expected.getMessage().contains("interrupted"));
                }
            });
            caller.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> caller.getState() == Thread.State.RUNNABLE
                    && java.util.Arrays.stream(caller.getStackTrace()).anyMatch(f -> f.getMethodName().contains("read")));

            caller.interrupt();

            assertTrue(interruptKept.get(5, TimeUnit.SECONDS));
            release.countDown(); // the test agent answers one request at a time
            assertEquals("over tls", CompletableFuture.supplyAsync(() -> client.kv().getString("k").orElseThrow())
                    .get(5, TimeUnit.SECONDS), "the one connection was given back");
        } finally {
            release.countDown();
            tls.stop(0);
        }
    }

    @Test
    void theTokenIsSentOnlyAsAHeader() {
        agent.answer("GET", "/v1/catalog/services", 200, "{}");
        client = agent.clientBuilder().build();

        client.discovery().services();

        agent.assertOnly("GET", "/v1/catalog/services", java.util.Map.of());
    }

    @Test
    void redirectsAreNotFollowed() {
        agent.server.when(request().withPath("/v1/kv/k"))
                .respond(response().withStatusCode(301).withHeader("Location", "/v1/agent/service/deregister/x"));
        client = agent.clientBuilder().build();

        ConsulException e = assertThrows(ConsulException.class, () -> client.kv().get("k"));

        assertEquals(301, e.status());
        assertEquals(1, agent.requestCount());
        assertFalse(e.getMessage().contains(MockAgent.TOKEN));
    }

}
