package io.github.consulservlet.spi;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OncePerStartTest {

    @Test
    void oneCallerPerStart() {
        OncePerStart once = new OncePerStart();
        assertTrue(once.claim());
        assertFalse(once.claim(), "a second question during the same start");
        once.startEnded();
        assertTrue(once.claim(), "the next start of the same context");
        assertFalse(once.claim());
    }
}
