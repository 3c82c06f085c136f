package io.github.consulservlet.internal.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockserver.model.HttpRequest;

import io.github.consulservlet.ConsistencyMode;
import io.github.consulservlet.ConsulNotFoundException;
import io.github.consulservlet.ConsulPermissionException;
import io.github.consulservlet.ConsulServerException;
import io.github.consulservlet.KeyValueStore;
import io.github.consulservlet.KvDeleteOptions;
import io.github.consulservlet.KvEntry;
import io.github.consulservlet.KvWriteOptions;
import io.github.consulservlet.QueryOptions;

class KvContractTest extends ContractTest {
    // As in https://developer.hashicorp.com/consul/api-docs/kv#sample-response, plus a field we do not model.
    private static final String ENTRY = """
            [{"CreateIndex": 100, "ModifyIndex": 200, "LockIndex": 3, "Key": "zip", "Flags": 7,
              "Value": "dGVzdA==", "Session": "adf4238a-882b-9ddc-4a9d-5b6758e4159e", "Namespace": "default"}]""";

    private KeyValueStore kv;

    @BeforeEach
    void start() {
        kv = client.kv();
    }

    @Test
    void getReadsEveryFieldOfTheEntry() {
        agent.answer("GET", "/v1/kv/zip", 200, ENTRY);

        KvEntry entry = kv.get("zip").orElseThrow();

        agent.assertOnly("GET", "/v1/kv/zip", Map.of());
        assertEquals("zip", entry.key());
        assertEquals("test", entry.valueAsString());
        assertEquals(7, entry.flags());
        assertEquals(100, entry.createIndex());
        assertEquals(200, entry.modifyIndex());
        assertEquals(3, entry.lockIndex());
        assertEquals(Optional.of("adf4238a-882b-9ddc-4a9d-5b6758e4159e"), entry.session());
    }

    @Test
    void aMissingKeyIsEmptyNotAnError() {
        agent.answer("GET", "/v1/kv/nothing", 404, "");

        assertEquals(Optional.empty(), kv.get("nothing"));
        assertEquals(Optional.empty(), kv.getString("nothing"));
    }

    @Test
    void aKeyWithNoValueReadsAsEmptyBytes() {
        agent.answer("GET", "/v1/kv/folder/", 200, """
                [{"CreateIndex": 5, "ModifyIndex": 5, "LockIndex": 0, "Key": "folder/", "Flags": 0, "Value": null}]""");

        KvEntry entry = kv.get("folder/").orElseThrow();

        assertEquals(0, entry.value().length);
        assertEquals(Optional.empty(), entry.session());
    }

    @Test
    void readsCarryTheDatacenterAndTheConsistencyMode() {
        agent.answer("GET", "/v1/kv/zip", 200, ENTRY);

        kv.get("zip", QueryOptions.builder().datacenter("dc2").consistency(ConsistencyMode.CONSISTENT).build());

        agent.assertOnly("GET", "/v1/kv/zip", Map.of("dc", "dc2", "consistent", ""));
    }

    @Test
    void theClientDefaultsApplyWhenACallNamesNone() {
        client.close();
        client = agent.clientBuilder().datacenter("east").consistencyMode(ConsistencyMode.STALE).build();
        agent.answer("GET", "/v1/kv/zip", 200, ENTRY);

        client.kv().get("zip");

        agent.assertOnly("GET", "/v1/kv/zip", Map.of("dc", "east", "stale", ""));
    }

    @Test
    void getAllRecursesUnderThePrefix() {
        agent.answer("GET", "/v1/kv/app/", 200, """
                [{"Key": "app/a", "Value": "MQ==", "CreateIndex": 1, "ModifyIndex": 1, "LockIndex": 0, "Flags": 0},
                 {"Key": "app/b", "Value": "Mg==", "CreateIndex": 2, "ModifyIndex": 2, "LockIndex": 0, "Flags": 0}]""");

        List<KvEntry> entries = kv.getAll("app/");

        agent.assertOnly("GET", "/v1/kv/app/", Map.of("recurse", ""));
        assertEquals(List.of("1", "2"), entries.stream().map(KvEntry::valueAsString).toList());
    }

    @Test
    void getAllOfAnEmptyPrefixIsEmpty() {
        agent.answer("GET", "/v1/kv/none/", 404, "");

        assertEquals(List.of(), kv.getAll("none/"));
    }

    @Test
    void keysListsKeysOnly() {
        agent.answer("GET", "/v1/kv/app/", 200, "[\"app/a\", \"app/b\"]");

        assertEquals(List.of("app/a", "app/b"), kv.keys("app/"));
        agent.assertOnly("GET", "/v1/kv/app/", Map.of("keys", ""));
    }

    @Test
    void setSendsTheRawValue() {
        agent.answer("PUT", "/v1/kv/greeting", 200, "true");

        assertTrue(kv.set("greeting", "héllo"));

        HttpRequest sent = agent.assertOnly("PUT", "/v1/kv/greeting", Map.of());
        assertArrayEquals("héllo".getBytes(StandardCharsets.UTF_8), sent.getBodyAsRawBytes());
    }

    // A real agent refuses cas together with acquire or release ("400 Conflicting flags"), so the
    // options are sent apart.
    @Test
    void setWithCasOrAcquireFlagsAndDatacenter() {
        agent.answer("PUT", "/v1/kv/leader", 200, "false");

        boolean written = kv.set("leader", "me".getBytes(StandardCharsets.UTF_8),
                KvWriteOptions.builder().acquire("sess-1").flags(42).datacenter("dc2").build());
        kv.set("leader", "me", KvWriteOptions.builder().cas(0).flags(0xe0f69a2baa414de0L).build());

        assertFalse(written);
        HttpRequest[] sent = agent.server.retrieveRecordedRequests(null);
        assertEquals(Map.of("acquire", "sess-1", "flags", "42", "dc", "dc2"), MockAgent.query(sent[0]));
        assertEquals(Map.of("cas", "0", "flags", "16210313421097356768"), MockAgent.query(sent[1]), "flags unsigned");
    }

    @Test
    void checkAndSetCannotBeCombinedWithALock() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KvWriteOptions.builder().cas(0).acquire("sess-1").build());
        assertEquals("a KV write can check-and-set or acquire or release a lock, not two of them", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KvWriteOptions.builder().release("sess-1").cas(3).build());
    }

    @Test
    void releaseAnswersWhetherTheLockWasReleased() {
        agent.answer("PUT", "/v1/kv/leader", 200, "true");

        assertTrue(kv.set("leader", "", KvWriteOptions.release("sess-1")));

        agent.assertOnly("PUT", "/v1/kv/leader", Map.of("release", "sess-1"));
    }

    @Test
    void deleteOneKeyOrAPrefix() {
        agent.answer("DELETE", "/v1/kv/jobs/", 200, "true");

        assertTrue(kv.delete("jobs/", KvDeleteOptions.recurse()));

        agent.assertOnly("DELETE", "/v1/kv/jobs/", Map.of("recurse", ""));
    }

    @Test
    void deleteWithCas() {
        agent.answer("DELETE", "/v1/kv/job", 200, "false");

        assertFalse(kv.delete("job", KvDeleteOptions.builder().cas(17).build()));

        agent.assertOnly("DELETE", "/v1/kv/job", Map.of("cas", "17"));
    }

    @Test
    void aKeyCanNeverLeaveTheKvEndpoint() {
        agent.answer("GET", "/v1/kv/.*", 404, "");
        agent.answer("PUT", "/v1/kv/.*", 200, "true");

        String hostile = "agent/service/deregister/x?y#z";
        kv.get(hostile);
        kv.set(hostile, "v");

        HttpRequest[] sent = agent.server.retrieveRecordedRequests(null);
        assertEquals(2, sent.length);
        for (HttpRequest request : sent) {
            // As it crossed the wire: each segment percent-encoded, so '?' and '#' are data.
            assertEquals("/v1/kv/agent/service/deregister/x%3Fy%23z", request.getPath().getValue());
            assertEquals(Map.of(), MockAgent.query(request));
            assertEquals(hostile, decodedKey(request));
        }
    }

    @Test
    void emptySegmentsAreRefusedBeforeSending() {
        for (String key : List.of("a//b", "//a", "a//")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kv.set(key, "v"));
            assertEquals("KV key '" + key + "' has an empty segment ('//'), which Consul's HTTP API cannot"
                    + " address; use keys whose segments are not empty", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> kv.get(key));
            assertThrows(IllegalArgumentException.class, () -> kv.delete(key));
        }
        assertThrows(IllegalArgumentException.class, () -> kv.getAll("a//"));
        assertEquals(0, agent.requestCount());
    }

    // A real agent (Consul 1.14.11 built with Go 1.26) stores "a/%2E%2E/b" as the key "a/../b":
    // ServeMux cleans only literal dot segments, so encoded ones stay data.
    @Test
    void dotSegmentsAreSentEncodedSoTheyStayData() {
        agent.answer("PUT", "/v1/kv/.*", 200, "true");

        for (String key : List.of("../agent/service/deregister/x?y#z", "a/./b", "a/..", "..")) {
            kv.set(key, "v");
        }

        List<String> paths = java.util.Arrays.stream(agent.server.retrieveRecordedRequests(null))
                .map(request -> request.getPath().getValue()).toList();
        assertEquals(List.of("/v1/kv/%2E%2E/agent/service/deregister/x%3Fy%23z", "/v1/kv/a/%2E/b",
                "/v1/kv/a/%2E%2E", "/v1/kv/%2E%2E"), paths);
    }

    @Test
    void aRecursiveDeleteOfEverythingIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kv.delete("/", KvDeleteOptions.recurse()));
        assertTrue(e.getMessage().contains("would delete every key"), e.getMessage());
        assertEquals(0, agent.requestCount());
    }

    @Test
    void percentSignsAndSlashesInKeysAreData() {
        agent.answer("GET", "/v1/kv/.*", 404, "");

        kv.get("a%2Fb/c d");

        HttpRequest sent = agent.onlyRequest();
        assertEquals("/v1/kv/a%252Fb/c%20d", sent.getPath().getValue());
        assertEquals("a%2Fb/c d", decodedKey(sent));
    }

    @Test
    void unicodeKeysAreSentAsUtf8() {
        agent.answer("GET", "/v1/kv/.*", 404, "");

        kv.get("café/ünïcode key");

        HttpRequest sent = agent.onlyRequest();
        assertEquals("/v1/kv/caf%C3%A9/%C3%BCn%C3%AFcode%20key", sent.getPath().getValue());
        assertEquals("café/ünïcode key", decodedKey(sent));
    }

    /** The key as Consul reads it: the path after /v1/kv/, each segment decoded. */
    private static String decodedKey(HttpRequest sent) {
        String raw = sent.getPath().getValue().substring("/v1/kv/".length());
        return java.util.Arrays.stream(raw.split("/", -1))
                .map(segment -> java.net.URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8))
                .collect(java.util.stream.Collectors.joining("/"));
    }

    @Test
    void aLeadingSlashIsDroppedAndAnEmptyKeyRefused() {
        agent.answer("GET", "/v1/kv/zip", 200, ENTRY);

        kv.get("/zip");

        agent.assertOnly("GET", "/v1/kv/zip", Map.of());
        assertThrows(IllegalArgumentException.class, () -> kv.get("/"));
        assertThrows(IllegalArgumentException.class, () -> kv.set("", "v"));
    }

    @Test
    void aValueOver512KibIsRefusedBeforeSending() {
        byte[] limit = new byte[KeyValueStore.MAX_VALUE_BYTES];
        agent.answer("PUT", "/v1/kv/big", 200, "true");

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> kv.set("big", new byte[KeyValueStore.MAX_VALUE_BYTES + 1]));

        assertTrue(refused.getMessage().contains("524289 bytes"), refused.getMessage());
        assertTrue(refused.getMessage().contains("512 KiB"), refused.getMessage());
        assertEquals(0, agent.requestCount());
        assertTrue(kv.set("big", limit), "exactly 512 KiB is accepted");
    }

    @Test
    void errorsCarryTheStatusAndConsulsMessage() {
        agent.answer("GET", "/v1/kv/secret", 403, "Permission denied: token with AccessorID 'x' lacks permission 'key:read'");
        agent.answer("PUT", "/v1/kv/boom", 500, "No cluster leader");
        agent.answer("PUT", "/v1/kv/gone", 404, "Not found");

        ConsulPermissionException denied = assertThrows(ConsulPermissionException.class, () -> kv.get("secret"));
        assertEquals(403, denied.status());
        assertTrue(denied.consulMessage().startsWith("Permission denied"));
        assertTrue(denied.getMessage().contains("GET /v1/kv/secret failed: HTTP 403: Permission denied"),
                denied.getMessage());
        assertFalse(denied.getMessage().contains(MockAgent.TOKEN));

        ConsulServerException failed = assertThrows(ConsulServerException.class, () -> kv.set("boom", "x"));
        assertEquals(500, failed.status());
        assertEquals("No cluster leader", failed.consulMessage());

        ConsulNotFoundException notFound = assertThrows(ConsulNotFoundException.class, () -> kv.set("gone", "x"));
        assertEquals(404, notFound.status());
    }

    @Test
    void optionsRefuseContradictions() {
        assertThrows(IllegalArgumentException.class,
                () -> KvWriteOptions.builder().acquire("a").release("a").build());
        assertThrows(IllegalArgumentException.class,
                () -> KvDeleteOptions.builder().recurse(true).cas(1).build());
        assertThrows(IllegalArgumentException.class, () -> KvWriteOptions.cas(-1));
    }
}
