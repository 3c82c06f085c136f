package io.github.consulservlet.internal.registration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.config.ConsulSettings;

/** The pool's lock is never held while a client is made, and the number of clients is capped. */
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
