package io.github.consulservlet.internal.registration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.github.consulservlet.ConsulResponseException;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.config.ConsulSettings;

/**
 * The pool's lock is never held while a client is made, the number of clients is capped, and a
 * webapp's client settings reach its client.
 */
class ClientPoolTest {
    private static ConsulSettings settings(String agent) {
        return ConsulSettings.resolve("/app", Map.of("consul.agent", agent, "consul.service.port", "8080"), Map.of(),
                name -> null, Map.of());
    }

    private static ConsulClient client(ClientPool.Key key) {
        return ConsulClient.builder().agents(key.agents()).build();
    }

    @Test
    void aClientSetUpThatBlocksDoesNotHoldUpAnotherWebappsLease() throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        ClientPool pool = new ClientPool(key -> {
            if (key.agents().contains(":1")) { // this webapp's set-up hangs, as a key file on a FIFO would
                blocked.countDown();
                try {
                    unblock.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return client(key);
        }, ClientPool.MAX_CLIENTS_DEFAULT);
        CompletableFuture<ClientPool.Lease> slow = CompletableFuture.supplyAsync(() -> pool.lease(settings("127.0.0.1:1")));
        try {
            assertTrue(blocked.await(10, TimeUnit.SECONDS));
            CompletableFuture<ClientPool.Lease> other = CompletableFuture.supplyAsync(() -> pool.lease(settings("127.0.0.1:2")));
            await().atMost(Duration.ofSeconds(10)).until(other::isDone);
            other.join().release();
            assertTrue(!slow.isDone(), "the slow set-up is still under way");
        } finally {
            unblock.countDown();
        }
        slow.get(10, TimeUnit.SECONDS).release();
        assertEquals(0, pool.clientCount());
    }

    /** consul.client.strict-answers reaches the webapp's client: one unreadable entry fails the read. */
    @Test
    void aWebappsStrictAnswersMakeItsClientStrict() throws Exception {
        HttpServer agent = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] answer = ("[{\"Key\":\"app/a\",\"Value\":\"YQ==\",\"Flags\":0,\"CreateIndex\":1,\"ModifyIndex\":2},"
                + "{\"Key\":\"app/bad\",\"Value\":\"not*base64\",\"Flags\":0,\"CreateIndex\":1,\"ModifyIndex\":2}]")
                .getBytes(StandardCharsets.UTF_8);
        agent.createContext("/v1/kv/app", exchange -> {
            exchange.getResponseHeaders().add("X-Consul-Index", "2");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        agent.start();
        String address = "127.0.0.1:" + agent.getAddress().getPort();
        java.util.logging.Logger clientLog = java.util.logging.Logger.getLogger(ConsulClient.class.getName());
        clientLog.setUseParentHandlers(false); // the lenient client's expected warning
        try (ConsulClient strict = ClientPool.build(key(Map.of("consul.agent", address, "consul.client.strict-answers", "true")));
                ConsulClient lenient = ClientPool.build(key(Map.of("consul.agent", address)))) {
            ConsulResponseException e = assertThrows(ConsulResponseException.class, () -> strict.kv().getAll("app"));
            assertTrue(e.getMessage().contains("key 'app/bad'"), e.getMessage());
            assertEquals(1, lenient.kv().getAll("app").size());
        } finally {
            clientLog.setUseParentHandlers(true);
            agent.stop(0);
        }
    }

    private static ClientPool.Key key(Map<String, String> params) {
        Map<String, String> all = new java.util.HashMap<>(params);
        all.put("consul.service.port", "8080");
        ConsulSettings s = ConsulSettings.resolve("/app", all, Map.of(), name -> null, Map.of());
        return new ClientPool.Key(s.agents(), null, s.tls(), s.maxResponseSize(), s.maxWatchResponseSize(), s.strictAnswers());
    }

    @Test
    void aFailedSetUpIsTriedAfreshByTheNextLease() {
        int[] calls = new int[1];
        ClientPool pool = new ClientPool(key -> {
            if (calls[0]++ == 0) {
                throw new IllegalArgumentException("cannot set up TLS to the Consul agent: test");
            }
            return client(key);
        }, ClientPool.MAX_CLIENTS_DEFAULT);
        assertThrows(IllegalArgumentException.class, () -> pool.lease(settings("127.0.0.1:3")));
        assertEquals(0, pool.clientCount());
        pool.lease(settings("127.0.0.1:3")).release();
        assertEquals(2, calls[0]);
    }

    @Test
    void theNumberOfClientsIsCapped() {
        ClientPool pool = new ClientPool(ClientPoolTest::client, 2);
        ClientPool.Lease a = pool.lease(settings("127.0.0.1:4"));
        ClientPool.Lease b = pool.lease(settings("127.0.0.1:5"));
        ClientPool.Lease again = pool.lease(settings("127.0.0.1:4")); // shares a's client: not a new one
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.lease(settings("127.0.0.1:6")));
        assertTrue(e.getMessage().contains("already has 2 Consul clients"), e.getMessage());
        a.release();
        again.release();
        pool.lease(settings("127.0.0.1:6")).release(); // room again
        b.release();
        assertEquals(0, pool.clientCount());
    }
}
