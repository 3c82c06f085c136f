package io.github.consulservlet.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValueTypeTest {
    @Test
    void theSameTextReadsToTheSameUnchangeableValueWithoutBeingParsedAgain() throws Exception {
        ValueType<Duration> interval = ValueType.duration(Duration.ofSeconds(1));
        Duration first = interval.read("1m30s");
        assertEquals(Duration.ofSeconds(90), first);
        assertSame(first, interval.read("1m30s"));
        assertEquals(Duration.ofSeconds(2), interval.read("2s"));
        assertThrows(ValueType.Refused.class, () -> interval.read("500ms"));
        assertEquals(Duration.ofSeconds(90), interval.read("1m30s"));
    }

    @Test
    void listsAndMapsAreReadAfreshEachTimeSoThatNoReaderSeesAnothersChange() throws Exception {
        ValueType<List<String>> tags = ListTypes.list();
        List<String> first = tags.read("v2,blue");
        assertEquals(List.of("v2", "blue"), first);
        assertEquals(first, tags.read("v2,blue"));
        ValueType<Map<String, String>> meta = ListTypes.meta();
        Map<String, String> mine = meta.read("team=shop");
        mine.put("tier", "web"); // a map the reader may change
        assertEquals(Map.of("team", "shop"), meta.read("team=shop"));
    }

    @Test
    void aFileIsLookedForAtEachRead(@TempDir Path directory) throws Exception {
        Path pem = Files.writeString(directory.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----");
        ValueType<Path> ca = ValueType.pemFile();
        assertEquals(pem, ca.read(pem.toString()));
        Files.delete(pem);
        assertThrows(ValueType.Refused.class, () -> ca.read(pem.toString()));
    }
}
