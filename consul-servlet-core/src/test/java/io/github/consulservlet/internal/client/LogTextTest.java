package io.github.consulservlet.internal.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Remote text as our log lines quote it: cut and escaped. */
class LogTextTest {
    @Test
    void controlCharactersAreEscaped() {
        assertEquals("a\\nSEVERE: b\\r\\t\\u001b[31m\\u2028\\u202e", LogText.remote("a\nSEVERE: b\r\t\u001b[31m\u2028\u202e"));
        assertEquals("null", LogText.remote(null));
        assertEquals("plain text, é", LogText.remote("plain text, é"));
    }

    @Test
    void longTextIsCutSayingHowMuchIsLeftOut() {
        String cut = LogText.remote("y".repeat(2_000_000));
        assertTrue(cut.startsWith("y".repeat(LogText.MAX) + "... (" + (2_000_000 - LogText.MAX) + " more characters)"), cut);
        assertTrue(LogText.remote("\n".repeat(10_000)).length() < LogText.MAX + 40, "escapes count towards the cut");
    }
}
