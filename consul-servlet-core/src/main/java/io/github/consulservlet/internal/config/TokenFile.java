package io.github.consulservlet.internal.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;

/**
 * Reads {@code consul.token-file} defensively: it is read on the deploying thread, so a FIFO
 * would block the deploy for ever and {@code /dev/zero} would fill the heap. Only a regular file
 * of at most {@value #MAX_BYTES} bytes is read, and never more than that many bytes of it.
 */
final class TokenFile {
    /** Far above any Consul token (a UUID) or JWT a token file holds. */
    static final int MAX_BYTES = 4096;

    /** The file cannot be used; the message says why, worded to follow the setting's name and value. */
    static final class Unusable extends Exception {
        Unusable(String why) {
            super(why, null, false, false);
        }
    }

    private TokenFile() {
    }

    /** The file's content, stripped. */
    static String read(Path path) throws Unusable, IOException {
        if (!Files.exists(path)) {
            throw new Unusable("does not exist");
        }
        if (!Files.isRegularFile(path)) {
            throw new Unusable("is not a regular file (a directory, device or FIFO is never read)");
        }
        if (Files.size(path) > MAX_BYTES) {
            throw new Unusable("is larger than 4 KiB");
        }
        try (InputStream in = Files.newInputStream(path)) {
            byte[] content = in.readNBytes(MAX_BYTES + 1);
            if (content.length > MAX_BYTES) { // grew since
                throw new Unusable("is larger than 4 KiB");
            }
            return new String(content, StandardCharsets.UTF_8).strip();
        }
    }

    /** Whether every user may read the file; false where POSIX permissions are not supported. */
    static boolean worldReadable(Path path) {
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
            return view != null && view.readAttributes().permissions().contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
