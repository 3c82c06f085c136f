package io.github.consulservlet.simulator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;

/**
 * Sessions and locks, from https://developer.hashicorp.com/consul/api-docs/session and
 * https://developer.hashicorp.com/consul/docs/dynamic-app-config/sessions.
 */
class SimulatorSessionTest {
    private ConsulSimulator consul = ConsulSimulator.start();
    private Raw raw = new Raw(consul);

    @AfterEach
    void close() {
        consul.close();
    }

    private String create(String body) {
        Raw.Reply reply = raw.put("/v1/session/create", body);
        assertEquals(200, reply.status(), reply.body());
        return reply.object().get("ID").getAsString();
    }

    private JsonObject info(String id) {
        return raw.get("/v1/session/info/" + id).first();
    }

    private JsonObject entry(String key) {
        return raw.get("/v1/kv/" + key).first();
    }

    @Test
    void aSessionWithoutABodyTakesConsulsDefaults() {
        String id = create(null);
        JsonObject session = info(id);
        assertEquals("consul-sim", session.get("Node").getAsString());
        assertEquals("[\"serfHealth\"]", session.get("NodeChecks").toString());
        assertFalse(session.has("Checks"), "Consul 1.14 answers the old Checks field only when it kept one");
        assertEquals(15_000_000_000L, session.get("LockDelay").getAsLong(), "15s, reported in nanoseconds");
        assertEquals("release", session.get("Behavior").getAsString());
        assertEquals("", session.get("TTL").getAsString());
        assertEquals(1, raw.get("/v1/session/list").array().size());
        assertEquals(1, raw.get("/v1/session/node/consul-sim").array().size());
        assertEquals("[]", raw.get("/v1/session/info/00000000-0000-0000-0000-000000000000").body());
    }

    @Test
    void lockDelayIsADurationStringOrNanosecondsWithSmallNumbersMeaningSeconds() {
        assertEquals(20_000_000_000L, info(create("{\"LockDelay\":\"20s\"}")).get("LockDelay").getAsLong());
        assertEquals(15_000_000_000L, info(create("{\"LockDelay\":15}")).get("LockDelay").getAsLong());
        assertEquals(2_000_000_000L, info(create("{\"LockDelay\":2000000000}")).get("LockDelay").getAsLong());
        assertEquals(0, info(create("{\"LockDelay\":\"0s\"}")).get("LockDelay").getAsLong());
    }

    @Test
    void invalidSessionsAreRefusedWithConsulsMessages() {
        assertRefused(500, "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]", "{\"TTL\":\"5s\"}");
        assertRefused(500, "Invalid Session TTL '90000000000000', must be between [10s=24h0m0s]", "{\"TTL\":\"25h\"}");
        assertRefused(500, "Session TTL 'soon' invalid: time: invalid duration \"soon\"", "{\"TTL\":\"soon\"}");
        assertRefused(500, "Invalid Behavior setting 'keep'", "{\"Behavior\":\"keep\"}");
        assertRefused(500, "apply failed: Missing node registration", "{\"Node\":\"elsewhere\"}");
        assertRefused(500, "apply failed: Missing check 'nope' registration", "{\"Checks\":[\"nope\"]}");
        raw.put("/v1/agent/service/register", "{\"ID\":\"s\",\"Name\":\"s\",\"Check\":{\"TTL\":\"30s\"}}");
        assertRefused(500, "apply failed: Check 'service:s' is in critical state", "{\"Checks\":[\"service:s\"]}");
        assertEquals("[]", raw.get("/v1/session/list").body());
        assertEquals(200, raw.put("/v1/session/create", "{\"TTL\":\"0s\"}").status(), "0s means no TTL");
    }

    private void assertRefused(int status, String message, String body) {
        Raw.Reply reply = raw.put("/v1/session/create", body);
        assertEquals(status, reply.status(), body);
        assertEquals(message, reply.body());
    }

    @Test
    void aLockIsHeldByOneSessionAtATime() {
        String first = create("{\"Name\":\"first\"}");
        String second = create("{\"Name\":\"second\"}");
        assertEquals("true", raw.put("/v1/kv/lock?acquire=" + first, "mine").body());
        assertEquals(first, entry("lock").get("Session").getAsString());
        assertEquals(1, entry("lock").get("LockIndex").getAsLong());
        assertEquals("false", raw.put("/v1/kv/lock?acquire=" + second, "theirs").body());
        assertEquals("true", raw.put("/v1/kv/lock?acquire=" + first, "still mine").body(), "re-acquiring is fine");
        assertEquals(1, entry("lock").get("LockIndex").getAsLong(), "re-acquiring does not count");
        assertEquals("false", raw.put("/v1/kv/lock?release=" + second, "").body());
        assertEquals("true", raw.put("/v1/kv/lock?release=" + first, "free").body());
        assertFalse(entry("lock").has("Session"));
        assertEquals("true", raw.put("/v1/kv/lock?acquire=" + second, "theirs").body(), "a release has no lock delay");
        assertEquals(2, entry("lock").get("LockIndex").getAsLong());
        assertEquals("theirs", raw.get("/v1/kv/lock?raw").body());
    }

    @Test
    void aPlainWriteToALockedKeyKeepsTheHolder() {
        String holder = create(null);
        raw.put("/v1/kv/held?acquire=" + holder, "v1");
        raw.put("/v1/kv/held", "v2");
        assertEquals(holder, entry("held").get("Session").getAsString());
        assertEquals("v2", raw.get("/v1/kv/held?raw").body());
    }

    @Test
    void anUnknownSessionCannotAcquireAndReleasesNothing() {
        Raw.Reply reply = raw.put("/v1/kv/k?acquire=ghost", "v");
        assertEquals(500, reply.status());
        assertEquals("raft apply failed: invalid session \"ghost\"", reply.body());
        Raw.Reply release = raw.put("/v1/kv/k?release=ghost", "v");
        assertEquals(200, release.status());
        assertEquals("false", release.body());
    }

    @Test
    void destroyingAHolderReleasesItsLocksBehindTheLockDelay() {
        String holder = create("{\"LockDelay\":\"3s\"}");
        String waiter = create(null);
        raw.put("/v1/kv/leader?acquire=" + holder, "a");
        long destroyed = System.nanoTime();
        assertEquals("true", raw.put("/v1/session/destroy/" + holder, null).body());
        assertFalse(entry("leader").has("Session"), "the lock is released");
        assertEquals("a", raw.get("/v1/kv/leader?raw").body(), "and its value kept");
        assertEquals("false", raw.put("/v1/kv/leader?acquire=" + waiter, "b").body(), "within the lock delay");
        await().atMost(Duration.ofSeconds(10)).until(() -> raw.put("/v1/kv/leader?acquire=" + waiter, "b").body().equals("true"));
        assertTrue(System.nanoTime() - destroyed >= Duration.ofSeconds(3).toNanos());
        assertEquals("true", raw.put("/v1/session/destroy/" + holder, null).body(), "destroying again is fine");
        assertEquals(1, consul.journal(JournalEvent.Kind.SESSION_DESTROYED).size());
    }

    @Test
    void theDeleteBehaviorDeletesHeldKeys() {
        String holder = create("{\"Behavior\":\"delete\",\"LockDelay\":\"0s\"}");
        raw.put("/v1/kv/ephemeral?acquire=" + holder, "x");
        raw.put("/v1/session/destroy/" + holder, null);
        assertEquals(404, raw.get("/v1/kv/ephemeral").status());
    }

    @Test
    void aSessionNotRenewedWithinTwiceItsTtlIsInvalidated() {
        consul.close();
        consul = ConsulSimulator.builder().sessionTtlMin(Duration.ofSeconds(2)).build();
        raw = new Raw(consul);
        String id = create("{\"TTL\":\"2s\",\"LockDelay\":\"0s\"}");
        assertEquals("true", raw.put("/v1/kv/ttl-lock?acquire=" + id, "x").body());
        Raw.Reply renewed = raw.put("/v1/session/renew/" + id, null);
        assertEquals(200, renewed.status());
        assertEquals("2s", renewed.first().get("TTL").getAsString());
        await().atMost(Duration.ofSeconds(10)).until(() -> raw.get("/v1/session/info/" + id).body().equals("[]"));
        assertFalse(entry("ttl-lock").has("Session"));
        Raw.Reply expired = raw.put("/v1/session/renew/" + id, null);
        assertEquals(404, expired.status());
        assertEquals("Session id '" + id + "' not found", expired.body());
        assertEquals("TTL expired", consul.journal(JournalEvent.Kind.SESSION_INVALIDATED).get(0).detail());
    }

    @Test
    void aCheckGoingCriticalInvalidatesTheSessionsThatDependOnIt() {
        raw.put("/v1/agent/service/register",
                "{\"ID\":\"w\",\"Name\":\"w\",\"Check\":{\"TTL\":\"30s\",\"Status\":\"passing\"}}");
        String id = create("{\"Checks\":[\"serfHealth\",\"service:w\"],\"LockDelay\":\"0s\"}");
        JsonObject session = info(id);
        assertEquals("[\"serfHealth\"]", session.get("NodeChecks").toString());
        assertTrue(session.get("ServiceChecks").isJsonNull(), "a service check named in the old Checks field stays there");
        assertEquals("[\"serfHealth\",\"service:w\"]", session.get("Checks").toString());
        raw.put("/v1/kv/guarded?acquire=" + id, "x");
        raw.put("/v1/agent/check/fail/service:w?note=down", null);
        assertEquals("[]", raw.get("/v1/session/info/" + id).body());
        assertFalse(entry("guarded").has("Session"));
        assertEquals("check service:w is critical", consul.journal(JournalEvent.Kind.SESSION_INVALIDATED).get(0).detail());
    }
}
