package io.github.consulservlet.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;

/** The KV store, from the examples of https://developer.hashicorp.com/consul/api-docs/kv. */
class SimulatorKvTest {
    private final ConsulSimulator consul = ConsulSimulator.start();
    private final Raw raw = new Raw(consul);

    @AfterEach
    void close() {
        consul.close();
    }

    @Test
    void aWrittenKeyReadsBackWithItsIndexesAndABase64Value() {
        assertEquals("true", raw.put("/v1/kv/web/key1", "hello").body());
        Raw.Reply read = raw.get("/v1/kv/web/key1");
        assertEquals(200, read.status());
        JsonObject entry = read.first();
        assertEquals("web/key1", entry.get("Key").getAsString());
        assertEquals("aGVsbG8=", entry.get("Value").getAsString());
        assertEquals(0, entry.get("Flags").getAsLong());
        assertEquals(0, entry.get("LockIndex").getAsLong());
        assertFalse(entry.has("Session"));
        assertEquals(entry.get("CreateIndex").getAsLong(), entry.get("ModifyIndex").getAsLong());
        assertEquals(entry.get("ModifyIndex").getAsLong(), read.index());
        assertEquals("hello", raw.get("/v1/kv/web/key1?raw").body());
    }

    @Test
    void aMissIs404WithAnEmptyBodyAndAnIndexOfAtLeastOne() {
        Raw.Reply miss = raw.get("/v1/kv/absent");
        assertEquals(404, miss.status());
        assertEquals("", miss.body());
        assertTrue(miss.index() >= 1);
    }

    @Test
    void recurseListsAPrefixInKeyOrderAndKeysFoldAtTheSeparator() {
        raw.put("/v1/kv/a/e", "3");
        raw.put("/v1/kv/a/b/d", "2");
        raw.put("/v1/kv/a/b/c", "1");
        raw.put("/v1/kv/ab", "other");
        Raw.Reply all = raw.get("/v1/kv/a/?recurse");
        assertEquals(3, all.array().size());
        assertEquals("a/b/c", all.first().get("Key").getAsString());
        assertEquals("[\"a/b/c\",\"a/b/d\",\"a/e\"]", raw.get("/v1/kv/a/?keys").body());
        assertEquals("[\"a/b/\",\"a/e\"]", raw.get("/v1/kv/a/?keys&separator=/").body());
        assertEquals(404, raw.get("/v1/kv/none/?recurse").status());
        assertEquals(404, raw.get("/v1/kv/none/?keys").status());
    }

    @Test
    void keysOfTheWholeStoreAreAnEmptyListRatherThanAMiss() {
        Raw.Reply keys = raw.get("/v1/kv/?keys");
        assertEquals(200, keys.status());
        assertEquals("[]", keys.body());
    }

    @Test
    void casZeroCreatesOnlyAndCasNWritesOnlyAtThatIndex() {
        assertEquals("true", raw.put("/v1/kv/c?cas=0", "first").body());
        assertEquals("false", raw.put("/v1/kv/c?cas=0", "second").body());
        long index = raw.get("/v1/kv/c").first().get("ModifyIndex").getAsLong();
        assertEquals("true", raw.put("/v1/kv/c?cas=" + index, "third").body());
        assertEquals("false", raw.put("/v1/kv/c?cas=" + index, "fourth").body());
        assertEquals("third", raw.get("/v1/kv/c?raw").body());
    }

    @Test
    void flagsAreStored() {
        raw.put("/v1/kv/f?flags=42", "x");
        assertEquals(42, raw.get("/v1/kv/f").first().get("Flags").getAsLong());
    }

    @Test
    void anEmptyBodyStoresNoValue() {
        raw.put("/v1/kv/empty", "");
        assertTrue(raw.get("/v1/kv/empty").first().get("Value").isJsonNull());
    }

    @Test
    void deletesSucceedOnAbsentKeysAndHonourCas() {
        assertEquals("true", raw.delete("/v1/kv/never").body());
        raw.put("/v1/kv/d", "x");
        long index = raw.get("/v1/kv/d").index();
        assertEquals("false", raw.delete("/v1/kv/d?cas=" + (index + 1)).body());
        assertEquals("true", raw.delete("/v1/kv/d?cas=" + index).body());
        assertEquals(404, raw.get("/v1/kv/d").status());
        assertEquals("true", raw.delete("/v1/kv/d?cas=5").body(), "a CAS delete of an absent key succeeds");
    }

    @Test
    void aRecursiveDeleteRemovesTheSubtreeAndMovesThePrefixIndex() {
        raw.put("/v1/kv/tree/a", "1");
        raw.put("/v1/kv/tree/b/c", "2");
        raw.put("/v1/kv/treehouse", "3");
        long before = raw.get("/v1/kv/tree/?recurse").index();
        raw.delete("/v1/kv/tree/?recurse");
        Raw.Reply after = raw.get("/v1/kv/tree/?keys");
        assertEquals(404, after.status());
        assertTrue(after.index() > before, "the deletion is remembered in the prefix index");
        assertEquals(200, raw.get("/v1/kv/treehouse").status());
    }

    @Test
    void valuesOver512KiBAreRefusedWith413() {
        byte[] limit = new byte[KvEndpoints.KV_MAX_VALUE_SIZE];
        Arrays.fill(limit, (byte) 'x');
        assertEquals("true", raw.send("PUT", "/v1/kv/big", limit).body());
        byte[] over = Arrays.copyOf(limit, limit.length + 1);
        Raw.Reply refused = raw.send("PUT", "/v1/kv/big", over);
        assertEquals(413, refused.status());
        assertEquals("Request body(524289 bytes) too large, max size: 524288 bytes. See "
                + "https://www.consul.io/docs/agent/config/config-files#kv_max_value_size.", refused.body());
        assertArrayEquals(limit, raw.get("/v1/kv/big?raw").bytes());
    }

    @Test
    void flagsAreUnsigned64BitNumbersAndAnythingElseIsRefusedAsGoParsesThem() {
        raw.put("/v1/kv/f?flags=16209593468193918432", "x");
        assertEquals("16209593468193918432", raw.get("/v1/kv/f").first().get("Flags").toString());
        Raw.Reply negative = raw.put("/v1/kv/f?flags=-1", "x");
        assertEquals(500, negative.status());
        assertEquals("strconv.ParseUint: parsing \"-1\": invalid syntax", negative.body());
        assertEquals("strconv.ParseUint: parsing \"18446744073709551616\": value out of range",
                raw.put("/v1/kv/f?cas=18446744073709551616", "x").body());
    }

    @Test
    void conflictingFlagsAreRefused() {
        Raw.Reply refused = raw.put("/v1/kv/x?cas=0&acquire=abc", "v");
        assertEquals(400, refused.status());
        assertEquals("Conflicting flags: acquire=abc&cas=0", refused.body(), "the query re-encoded by Go, sorted");
    }

    @Test
    void escapedCharactersAreKeyData() {
        raw.put("/v1/kv/q%3Fa%23b%25c", "v");
        assertEquals("q?a#b%c", raw.get("/v1/kv/q%3Fa%23b%25c").first().get("Key").getAsString());
        raw.put("/v1/kv/x%2Fy", "slash");
        assertEquals("slash", raw.get("/v1/kv/x/y?raw").body(), "%2F is decoded into the path, as Go does");
        raw.put("/v1/kv/" + "caf%C3%A9", "utf8");
        assertEquals("café", raw.get("/v1/kv/caf%C3%A9").first().get("Key").getAsString());
        assertEquals("utf8", new String(raw.get("/v1/kv/caf%C3%A9?raw").bytes(), StandardCharsets.UTF_8));
    }

    @Test
    void pathsThatAreNotCleanAreRedirectedAsGoServeMuxDoes() {
        Raw.Reply doubled = raw.put("/v1/kv/a//b%3F?cas=0", "v");
        assertEquals(307, doubled.status());
        assertEquals("/v1/kv/a/b%253F?cas=0", doubled.headers().firstValue("Location").orElseThrow(),
                "Go escapes the escaped path once more");
        assertEquals("", doubled.body(), "a redirect of a PUT has no body");
        Raw.Reply dotted = raw.get("/v1/kv/a/../../agent/services");
        assertEquals(307, dotted.status());
        assertEquals("/v1/agent/services", dotted.headers().firstValue("Location").orElseThrow());
        assertEquals("<a href=\"/v1/agent/services\">Temporary Redirect</a>.\n", dotted.body());
        assertEquals(404, raw.get("/v1/kv/a/b").status(), "nothing was written by the redirected request");
    }

    @Test
    void escapedDotsAndSlashesAreDataNotPathSegments() {
        assertEquals(200, raw.put("/v1/kv/a/%2E%2E/%2E%2E/agent/services", "v").status());
        assertEquals(200, raw.put("/v1/kv/e%2F%2Fmpty", "v").status());
        assertEquals("[\"a/../../agent/services\",\"e//mpty\"]", raw.get("/v1/kv/?keys").body().replaceAll("\\s", ""));
    }
}
