package io.github.consulservlet.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code consul.token-file} is read only when it is a small regular file, and a warning says when every user may read it. */
class TokenFileTest {
    private static final String ACCEPTED = "expected a regular file of at most 4 KiB holding the ACL token alone";

    @TempDir
    Path dir;

    private static ConsulSettings resolve(Path file) {
        return ConsulSettings.resolve("/shop", Map.of("consul.token-file", file.toString()), Map.of(), key -> null, Map.of());
    }

    private static String error(Path file) {
        return assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(InvalidSettingsException.class, () -> resolve(file)).getMessage());
    }

    @Test
    void aDeviceIsRefusedAtOnce() {
        assertEquals("consul.token-file '/dev/zero' (context-param) is not a regular file (a directory, device or FIFO is"
                + " never read); " + ACCEPTED, error(Path.of("/dev/zero")));
    }

    @Test
    void aFifoIsRefusedWithoutBlocking() throws IOException, InterruptedException {
        Path fifo = dir.resolve("token.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
        assertEquals("consul.token-file '" + fifo + "' (context-param) is not a regular file (a directory, device or FIFO"
                + " is never read); " + ACCEPTED, error(fifo));
    }

    @Test
    void aLargeFileIsRefused() throws IOException {
        Path large = Files.writeString(dir.resolve("large"), "x".repeat(TokenFile.MAX_BYTES + 1));
        assertEquals("consul.token-file '" + large + "' (context-param) is larger than 4 KiB; " + ACCEPTED, error(large));
        Path justFits = Files.writeString(dir.resolve("fits"), "y".repeat(TokenFile.MAX_BYTES));
        assertEquals(Optional.of("y".repeat(TokenFile.MAX_BYTES)), resolve(justFits).token());
    }

    @Test
    void aWorldReadableFileIsUsedWithAWarning() throws IOException {
        Path open = Files.writeString(dir.resolve("open"), "file-secret\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        ConsulSettings settings = resolve(open);
        assertEquals(Optional.of("file-secret"), settings.token());
        assertEquals(List.of("consul.token-file '" + open + "' (context-param) is readable by every user of this machine;"
                + " expected permissions such as 0600 or 0640"), settings.warnings());

        Path closed = Files.writeString(dir.resolve("closed"), "file-secret\n");
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(List.of(), resolve(closed).warnings());
        assertFalse(settings.warnings().toString().contains("file-secret"));
    }
}
