package io.github.consulservlet.internal.client.tls;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DER walk under keys a webapp may name: it must end, on every input, with a key or a
 * {@link GeneralSecurityException}; a malformed key once looped for ever in the container's
 * deploy thread.
 */
class DerFuzzTest {
    private static final Duration BUDGET = Duration.ofSeconds(2);
    /** A self-pointing length: an OCTET STRING whose length (-6) takes the walk back to where it was. */
    private static final byte[] SELF_POINTING = {0x30, 0x06, 0x04, (byte) 0x84, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFA};

    @TempDir
    Path dir;

    @Test
    void aSelfPointingLengthIsAnErrorNamingTheSettingAndTheFile() throws Exception {
        Path key = dir.resolve("loop-key.pem");
        Files.writeString(key, "-----BEGIN EC PRIVATE KEY-----\n" + Base64.getEncoder().encodeToString(SELF_POINTING)
                + "\n-----END EC PRIVATE KEY-----\n");
        GeneralSecurityException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(GeneralSecurityException.class, () -> Tls.privateKey(key)));
        assertTrue(e.getMessage().startsWith("consul.tls.client-key '" + key + "': not a valid EC key"), e.getMessage());
    }

    @Test
    void overlongAndTruncatedLengthsAreErrors() {
        byte[][] inputs = {
            {},
            {0x30},
            {0x30, (byte) 0x84, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, // 2 GB claimed
            {0x30, (byte) 0x82, 0x01}, // the length itself cut
            {0x30, 0x05, (byte) 0xA0, 0x09, 0x06}, // the field longer than its sequence
            {0x30, (byte) 0x80, 0x00, 0x00}, // indefinite length, not DER
        };
        for (byte[] input : inputs) {
            assertTimeoutPreemptively(Duration.ofSeconds(1), () -> assertThrows(GeneralSecurityException.class, () -> Der.wrapEc(input)));
            assertTimeoutPreemptively(Duration.ofSeconds(1), () -> assertThrows(GeneralSecurityException.class, () -> Der.wrapRsa(input)));
        }
    }

    /** Random bytes and mutations of real keys for {@link #BUDGET}; each parse is bounded by the whole run's timeout. */
    @Test
    void fuzzedKeysAlwaysEnd() throws Exception {
        byte[] ec = pemBody(TlsTest.fixture("client-key.pem"));
        byte[] rsa = pemBody(TlsTest.fixture("rsa-pkcs1-key.pem"));
        SplittableRandom random = new SplittableRandom(22);
        int[] runs = new int[1];
        assertTimeoutPreemptively(BUDGET.plusSeconds(10), () -> {
            long end = System.nanoTime() + BUDGET.toNanos();
            while (System.nanoTime() < end) {
                byte[] input = switch (random.nextInt(3)) {
                    case 0 -> randomBytes(random);
                    case 1 -> mutate(ec, random);
                    default -> mutate(rsa, random);
                };
                String kind = random.nextBoolean() ? "EC PRIVATE KEY" : random.nextBoolean() ? "RSA PRIVATE KEY" : "PRIVATE KEY";
                try {
                    Tls.decode(kind, input);
                } catch (GeneralSecurityException expected) {
                    // the one failure a key that is not DER may give
                } catch (RuntimeException e) {
                    // the JDK's own key parsers may throw these; Tls.privateKey turns them into a named error
                    if (e instanceof ArrayIndexOutOfBoundsException && e.getStackTrace()[0].getClassName().equals(Der.class.getName())) {
                        throw e; // but never from our walk
                    }
                }
                runs[0]++;
            }
        });
        assertTrue(runs[0] > 100, "only " + runs[0] + " inputs in " + BUDGET);
    }

    private static byte[] randomBytes(SplittableRandom random) {
        byte[] bytes = new byte[random.nextInt(64)];
        random.nextBytes(bytes);
        if (bytes.length > 0 && random.nextBoolean()) {
            bytes[0] = 0x30;
        }
        return bytes;
    }

    private static byte[] mutate(byte[] key, SplittableRandom random) {
        byte[] bytes = key.clone();
        if (random.nextInt(4) == 0) {
            bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1)); // truncated
        }
        for (int i = random.nextInt(1, 4); i > 0 && bytes.length > 0; i--) {
            int at = random.nextInt(Math.min(bytes.length, 12)); // mostly headers and lengths
            bytes[random.nextBoolean() ? at : random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static byte[] pemBody(Path file) throws Exception {
        Matcher m = Pattern.compile("-----BEGIN [A-Z ]+-----([^-]+)-----END").matcher(Files.readString(file, StandardCharsets.US_ASCII));
        assertTrue(m.find());
        return Base64.getMimeDecoder().decode(m.group(1));
    }
}
