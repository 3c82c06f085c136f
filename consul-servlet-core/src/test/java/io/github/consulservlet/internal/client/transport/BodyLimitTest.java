package io.github.consulservlet.internal.client.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.ConsulResponseException;

class BodyLimitTest {
    private static final Request WATCH = Request.get("/v1/kv", "endless");
    private static final long MIB = 1 << 20;

    @Test
    void aLimitTheHeapCanHoldIsTheSettingsAndItsErrorSaysToRaiseIt() {
        BodyLimit limit = new BodyLimit(WATCH, 1024, BodyLimit.BULK_SETTING, 1024 * MIB);
        assertEquals(1024, limit.limit());

        ConsulResponseException error = assertThrows(ConsulResponseException.class,
                () -> limit.read(new ByteArrayInputStream(new byte[1025]), -1, 200));
        assertEquals(200, error.status());
        assertEquals("GET /v1/kv/endless answered HTTP 200 with a body that has more than 1024 bytes (decoded), over"
                + " the limit of 1024 bytes; raise consul.client.max-watch-response-size if such answers are expected",
                error.getMessage());
    }

    @Test
    void noBodyMayTakeMoreThanAnEighthOfTheHeapAndItsErrorSaysToGiveTheHeapMore() {
        BodyLimit limit = new BodyLimit(WATCH, 64 * MIB, BodyLimit.BULK_SETTING, 8 * 1024);
        assertEquals(1024, limit.limit());

        ConsulResponseException error = assertThrows(ConsulResponseException.class,
                () -> limit.read(new ByteArrayInputStream(new byte[1025]), -1, 200));
        assertEquals("GET /v1/kv/endless answered HTTP 200 with a body that has more than 1024 bytes (decoded), over"
                + " the limit of 1024 bytes (an eighth of this JVM's heap, which is less than"
                + " consul.client.max-watch-response-size); give the JVM more heap if such answers are expected",
                error.getMessage());
        ConsulResponseException announced = assertThrows(ConsulResponseException.class,
                () -> limit.read(new ByteArrayInputStream(new byte[0]), 1025, 200));
        assertTrue(announced.getMessage().contains("announces 1025 bytes"), announced.getMessage());
    }

    @Test
    void aBodyAtTheLimitIsReadWholeWhetherItsLengthIsKnownOrNot() throws Exception {
        byte[] body = new byte[200_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        BodyLimit limit = new BodyLimit(WATCH, body.length, BodyLimit.BULK_SETTING, 1024 * MIB);
        assertArrayEquals(body, limit.read(new ByteArrayInputStream(body), -1, 200));
        assertArrayEquals(body, limit.read(new ByteArrayInputStream(body), body.length, 200));
    }
}
