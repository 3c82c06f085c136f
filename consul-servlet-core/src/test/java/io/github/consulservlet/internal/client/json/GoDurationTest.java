package io.github.consulservlet.internal.client.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Durations as Go's {@code time.ParseDuration} reads them: what Consul echoes back. */
class GoDurationTest {
    @ParameterizedTest
    @CsvSource({"+30s, 30000000000", "-1.5h, -5400000000000", "1h2m3.5s, 3723500000000", "1500us, 1500000",
            "1500\u00b5s, 1500000", "1500\u03bcs, 1500000", ".5s, 500000000", "1.s, 1000000000", "+0, 0", "-0, 0",
            "2562047h47m16.854775807s, 9223372036854775807", "1.0000000005s, 1000000000"})
    void readsWhatGoReads(String text, long nanos) {
        assertEquals(Duration.ofNanos(nanos), GoDuration.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2562048h", "9223372036854775808ns", "10", "s", ".s", "1d", "--1s", "1s ms", ""})
    void refusesWhatGoRefuses(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(text));
        assertTrue(e.getMessage().startsWith("'" + text + "' is not a duration"), e.getMessage());
    }
}
