package io.github.consulservlet.internal.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void theRegistrarStartsAtTwoHundredMillisAndIsCappedAtTwoOrThirtySeconds() {
        for (int i = 0; i < 50; i++) {
            long first = Backoff.REGISTRAR_DEFAULT.delayMillis(1);
            assertTrue(first >= 100 && first <= 200, "first " + first);
            long unreachable = Backoff.AGENT_FAILING.delayMillis(20);
            assertTrue(unreachable >= 1000 && unreachable <= 2000, "unreachable " + unreachable);
            long refused = Backoff.REGISTRAR_DEFAULT.delayMillis(20);
            assertTrue(refused >= 15_000 && refused <= 30_000, "refused " + refused);
        }
    }

    @Test
    void watchesKeepTheirOwnPace() {
        assertEquals(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)), Backoff.WATCH_ERRORS);
        assertEquals(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2)), Backoff.WATCH_EARLY_ANSWER);
    }
}
