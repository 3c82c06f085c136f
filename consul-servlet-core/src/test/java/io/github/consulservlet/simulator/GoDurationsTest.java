package io.github.consulservlet.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Go's duration syntax, as https://pkg.go.dev/time#ParseDuration and Duration.String define it. */
class GoDurationsTest {
    @Test
    void parsesGoDurations() {
        assertEquals(Duration.ofSeconds(10), GoDurations.parse("10s"));
        assertEquals(Duration.ofSeconds(90), GoDurations.parse("1m30s"));
        assertEquals(Duration.ofMillis(1500), GoDurations.parse("1.5s"));
        assertEquals(Duration.ofNanos(20), GoDurations.parse("20ns"));
        assertEquals(Duration.ofNanos(3_000), GoDurations.parse("3µs"));
        assertEquals(Duration.ZERO, GoDurations.parse("0"));
        assertEquals(Duration.ofHours(-2), GoDurations.parse("-2h"));
    }

    @Test
    void refusesWhatGoRefuses() {
        assertEquals("time: missing unit in duration \"20\"",
                assertThrows(IllegalArgumentException.class, () -> GoDurations.parse("20")).getMessage());
        assertEquals("time: invalid duration \"soon\"",
                assertThrows(IllegalArgumentException.class, () -> GoDurations.parse("soon")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> GoDurations.parse(""));
    }

    @Test
    void formatsAsGoDoes() {
        assertEquals("0s", GoDurations.format(Duration.ZERO));
        assertEquals("500ms", GoDurations.format(Duration.ofMillis(500)));
        assertEquals("10s", GoDurations.format(Duration.ofSeconds(10)));
        assertEquals("1m0s", GoDurations.format(Duration.ofMinutes(1)));
        assertEquals("1m30s", GoDurations.format(Duration.ofSeconds(90)));
        assertEquals("24h0m0s", GoDurations.format(Duration.ofHours(24)));
        assertEquals("1.5s", GoDurations.format(Duration.ofMillis(1500)));
        assertEquals("1.5µs", GoDurations.format(Duration.ofNanos(1500)));
    }
}
