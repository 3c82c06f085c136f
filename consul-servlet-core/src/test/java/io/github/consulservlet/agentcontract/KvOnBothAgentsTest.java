package io.github.consulservlet.agentcontract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.KeyValueStore;
import io.github.consulservlet.KvDeleteOptions;
import io.github.consulservlet.KvEntry;
import io.github.consulservlet.KvWriteOptions;
import io.github.consulservlet.SessionOptions;

/** The KV store through the client, on both agents: reads, writes, deletes, check-and-set, locks and odd keys. */
class KvOnBothAgentsTest extends OnBothAgents {

    private KeyValueStore kv() {
        return consul.kv();
    }

    private KvEntry entry(String key) {
        return kv().get(key).orElseThrow(() -> new AssertionError("no key " + key));
    }

    private String session(String name) {
        return consul.sessions().create(SessionOptions.builder().name(prefix + name).lockDelay(Duration.ZERO).build());
    }

    @Test
    void anAbsentKeyReadsAsEmpty() {
        assertEquals(Optional.empty(), kv().get(prefix + "absent"));
        assertEquals(Optional.empty(), kv().getString(prefix + "absent"));
        assertEquals(List.of(), kv().getAll(prefix + "none/"));
        assertEquals(List.of(), kv().keys(prefix + "none/"));
    }

    @Test
    void aValueWrittenReadsBackWithItsKeyAndNoLock() {
        assertTrue(kv().set(prefix + "greeting", "héllo"));
        KvEntry entry = entry(prefix + "greeting");
        assertEquals(prefix + "greeting", entry.key());
        assertEquals("héllo", entry.valueAsString());
        assertEquals(0, entry.flags());
        assertEquals(0, entry.lockIndex());
        assertEquals(Optional.empty(), entry.session());
        assertEquals(Optional.of("héllo"), kv().getString(prefix + "greeting"));
    }

    @Test
    void aKeyIsCreatedAtOneIndexAndEachWriteMovesItsModifyIndexOn() {
        String key = prefix + "indexed";
        kv().set(key, "1");
        KvEntry created = entry(key);
        assertTrue(created.createIndex() > 0);
        assertEquals(created.createIndex(), created.modifyIndex());

        kv().set(prefix + "other", "x");
        assertEquals(created, entry(key), "a write elsewhere leaves the key as it was");

        kv().set(key, "2");
        KvEntry updated = entry(key);
        assertEquals(created.createIndex(), updated.createIndex());
        assertTrue(updated.modifyIndex() > entry(prefix + "other").modifyIndex());

        kv().delete(key);
        kv().set(key, "3");
        KvEntry recreated = entry(key);
        assertTrue(recreated.createIndex() > updated.modifyIndex(), "a key deleted and written again is a new key");
        assertEquals(recreated.createIndex(), recreated.modifyIndex());
    }

    @Test
    void keysAndEntriesUnderAPrefixComeInKeyOrder() {
        // Consul orders keys by their bytes (UTF-8), which is code point order: U+FF01 comes before U+1F600
        List<String> ordered = List.of("a", "a/b", "a/c", "ab", "b", "z", "é", "\uFF01", "\uD83D\uDE00");
        for (String name : List.of("\uD83D\uDE00", "b", "a/c", "é", "a", "\uFF01", "ab", "z", "a/b")) {
            kv().set(prefix + name, "v-" + name);
        }
        List<String> expected = ordered.stream().map(name -> prefix + name).toList();
        assertEquals(expected, kv().keys(prefix));
        assertEquals(expected, kv().getAll(prefix).stream().map(KvEntry::key).toList());
        assertEquals(ordered.stream().map(name -> "v-" + name).toList(),
                kv().getAll(prefix).stream().map(KvEntry::valueAsString).toList());
        assertEquals(List.of(prefix + "a/b", prefix + "a/c"), kv().keys(prefix + "a/"));
    }

    @Test
    void deleteRemovesOneKeyAndARecursiveDeleteEveryKeyUnderAPrefix() {
        for (String name : List.of("a", "a/b", "a/c", "ab")) {
            kv().set(prefix + name, name);
        }
        assertTrue(kv().delete(prefix + "a"));
        assertEquals(Optional.empty(), kv().get(prefix + "a"));
        assertTrue(kv().delete(prefix + "a"), "deleting an absent key succeeds");
        assertEquals(List.of(prefix + "a/b", prefix + "a/c", prefix + "ab"), kv().keys(prefix));

        assertTrue(kv().delete(prefix + "a/", KvDeleteOptions.recurse()));
        assertEquals(List.of(prefix + "ab"), kv().keys(prefix));
    }

    @Test
    void checkAndSetWritesOnlyAtTheModifyIndexItNames() {
        String key = prefix + "cas";
        assertTrue(kv().set(key, "1", KvWriteOptions.cas(0)), "cas=0 creates an absent key");
        assertFalse(kv().set(key, "again", KvWriteOptions.cas(0)), "cas=0 never overwrites");
        long read = entry(key).modifyIndex();
        kv().set(key, "2");
        assertFalse(kv().set(key, "stale", KvWriteOptions.cas(read)), "a stale index loses");
        assertEquals("2", kv().getString(key).orElseThrow());

        long current = entry(key).modifyIndex();
        assertTrue(kv().set(key, "3", KvWriteOptions.cas(current)));
        assertEquals("3", kv().getString(key).orElseThrow());
        assertTrue(entry(key).modifyIndex() > current);
    }

    @Test
    void aDeleteWithCheckAndSetDeletesOnlyAtTheCurrentModifyIndex() {
        String key = prefix + "doomed";
        kv().set(key, "1");
        long stale = entry(key).modifyIndex();
        kv().set(key, "2");
        assertFalse(kv().delete(key, KvDeleteOptions.builder().cas(stale).build()));
        assertEquals("2", kv().getString(key).orElseThrow());

        assertTrue(kv().delete(key, KvDeleteOptions.builder().cas(entry(key).modifyIndex()).build()));
        assertEquals(Optional.empty(), kv().get(key));
    }

    @Test
    void flagsAreUnsigned64BitNumbersThatRoundTripExactly() {
        for (long flags : new long[] {0xe0f69a2baa414de0L, 0x2ddccbc058a50c18L, -1L, 1L}) {
            String key = prefix + Long.toHexString(flags);
            assertTrue(kv().set(key, "v", KvWriteOptions.builder().flags(flags).build()));
            assertEquals(flags, entry(key).flags(), Long.toUnsignedString(flags));
        }
        assertEquals(List.of(1L, 0x2ddccbc058a50c18L, 0xe0f69a2baa414de0L, -1L),
                kv().getAll(prefix).stream().map(KvEntry::flags).toList(), "read back in a list too");
    }

    @Test
    void aLockIsHeldByOneSessionAtATimeAndReleasedOnlyByIt() {
        String key = prefix + "lock";
        String first = session("first");
        String second = session("second");
        assertTrue(kv().set(key, "first", KvWriteOptions.acquire(first)));
        KvEntry held = entry(key);
        assertEquals(Optional.of(first), held.session());
        assertEquals(1, held.lockIndex());

        assertFalse(kv().set(key, "second", KvWriteOptions.acquire(second)), "another session is refused");
        assertFalse(kv().set(key, "second", KvWriteOptions.release(second)), "so is a release by a non-holder");
        assertEquals(held, entry(key), "neither wrote anything");

        assertTrue(kv().set(key, "first again", KvWriteOptions.acquire(first)), "the holder may write again");
        assertEquals(1, entry(key).lockIndex(), "without taking the lock anew");
        assertEquals("first again", entry(key).valueAsString());

        assertTrue(kv().set(key, "released", KvWriteOptions.release(first)));
        KvEntry released = entry(key);
        assertEquals(Optional.empty(), released.session());
        assertEquals(1, released.lockIndex());
        assertEquals("released", released.valueAsString());

        assertTrue(kv().set(key, "second", KvWriteOptions.acquire(second)));
        assertEquals(2, entry(key).lockIndex());
        assertEquals(Optional.of(second), entry(key).session());
    }

    @Test
    void keysAreDataWhateverCharactersTheyHoldAndNeverLeaveTheirPrefix() {
        List<String> names = List.of("q?x=1&y", "h#frag", "p%x", "p%2Fx", "sp ace", "plus+x", "../escape",
                "a/../../../agent/services", "./dot", "d/..", "caf\u00e9/\u20ac/\u65e5\u672c/\uD83D\uDE00", "%", "%25");
        for (String name : names) {
            String key = prefix + name;
            assertTrue(kv().set(key, "value of " + name), key);
            KvEntry entry = entry(key);
            assertEquals(key, entry.key());
            assertEquals("value of " + name, entry.valueAsString());
        }
        List<String> expected = names.stream().map(name -> prefix + name).sorted(KvOnBothAgentsTest::byCodePoint).toList();
        assertEquals(expected, kv().keys(prefix), "each written under the prefix, as itself");
        for (String name : names) {
            assertTrue(kv().delete(prefix + name));
        }
        assertEquals(List.of(), kv().keys(prefix));
    }

    private static int byCodePoint(String a, String b) {
        return java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }

    @Test
    void anEmptyValueIsAKeyThatHoldsNothingUnlikeAnAbsentKey() {
        String key = prefix + "empty";
        assertTrue(kv().set(key, new byte[0]));
        KvEntry entry = entry(key);
        assertArrayEquals(new byte[0], entry.value());
        assertEquals(Optional.of(""), kv().getString(key));
        assertEquals(List.of(key), kv().keys(prefix));
        assertEquals(Optional.empty(), kv().get(prefix + "absent"));
    }

    @Test
    void aValueOfExactly512KiBIsStoredAndALargerOneRefusedBeforeItIsSent() {
        byte[] largest = new byte[KeyValueStore.MAX_VALUE_BYTES];
        new Random(42).nextBytes(largest);
        assertTrue(kv().set(prefix + "largest", largest));
        assertArrayEquals(largest, entry(prefix + "largest").value());

        long sent = agent.simulator().map(s -> s.receivedRequests()).orElse(0L);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> kv().set(prefix + "too-large", new byte[KeyValueStore.MAX_VALUE_BYTES + 1]));
        assertTrue(refused.getMessage().contains("at most 524288"), refused.getMessage());
        agent.simulator().ifPresent(s -> assertEquals(sent, s.receivedRequests(), "nothing was sent"));
        assertEquals(Optional.empty(), kv().get(prefix + "too-large"));
    }
}
