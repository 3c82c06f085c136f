package io.github.consulservlet.internal.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.consulservlet.ConsistencyMode;
import io.github.consulservlet.internal.client.json.GoDuration;

class ClientBuilderTest {

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1:8500, http://127.0.0.1:8500",
        "http://127.0.0.1:8500, http://127.0.0.1:8500",
        "http://127.0.0.1:8500/, http://127.0.0.1:8500",
        "HTTPS://consul.local:8501, https://consul.local:8501",
        "localhost, http://localhost",
        "'[::1]:8500', 'http://[::1]:8500'",
    })
    void agentAddressesAreHostPortOrUrls(String given, String expected) {
        assertEquals(List.of(URI.create(expected)), parse(given));
    }

    @Test
    void aCommaSeparatedListIsAFailoverOrder() {
        assertEquals(List.of(URI.create("http://10.0.0.1:8500"), URI.create("https://10.0.0.2:8501")),
                parse("10.0.0.1:8500, https://10.0.0.2:8501"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "unix:///var/run/consul.sock", "http://host:8500/v1", "ftp://host:21",
        "http://host:8500?x=1", "host:port", "a,,b", "http://user:pw@host:8500"})
    void aBadAgentNamesTheSettingTheValueAndTheAcceptedForm(String given) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConsulClient.builder().agents(given));
        assertTrue(e.getMessage().startsWith("consul.agent '" + given + "' is not a list of agent addresses"),
                e.getMessage());
        assertTrue(e.getMessage().contains("expected host:port or http(s)://host:port"), e.getMessage());
    }

    @Test
    void aTokenWithALineBreakIsRefusedWithoutShowingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConsulClient.builder().token("abc\r\nX-Evil: 1"));
        assertFalse(e.getMessage().contains("abc"));
    }

    @Test
    void consistencyModesParseWithAClearError() {
        assertEquals(ConsistencyMode.STALE, ConsistencyMode.parse(" Stale "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConsistencyMode.parse("eventual"));
        assertEquals("consistency mode 'eventual' is not one of: default, consistent, stale", e.getMessage());
    }

    @Test
    void goDurationsRoundTrip() {
        assertEquals("15s", GoDuration.format(Duration.ofSeconds(15)));
        assertEquals("1500ms", GoDuration.format(Duration.ofMillis(1500)));
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("1m30s"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1.5h"));
        assertEquals(Duration.ofNanos(1500), GoDuration.parse("1.5us"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("10 s"));
        assertEquals("'10 s' is not a duration; expected a number with a unit, such as 500ms, 10s, 1m30s or 2h",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("10"));
    }

    @Test
    void backoffGrowsWithJitterAndIsCapped() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000));
        for (int i = 0; i < 50; i++) {
            long first = backoff.delayMillis(1);
            long third = backoff.delayMillis(3);
            long tenth = backoff.delayMillis(10);
            assertTrue(first >= 50 && first <= 100, "first " + first);
            assertTrue(third >= 200 && third <= 400, "third " + third);
            assertTrue(tenth >= 500 && tenth <= 1000, "tenth " + tenth);
        }
    }

    private static List<URI> parse(String agents) {
        return ConsulClient.builder().agents(agents).agents();
    }
}
