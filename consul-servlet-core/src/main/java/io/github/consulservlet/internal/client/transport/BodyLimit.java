package io.github.consulservlet.internal.client.transport;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import io.github.consulservlet.ConsulResponseException;

/**
 * The most bytes one answer's body may have once decoded, counted as it arrives, so that an
 * endless, huge or gzip-bombed answer costs at most the limit in memory and fails its own call
 * with a message naming the endpoint and the setting to raise. Watches and recursive reads have
 * their own, larger limit: they read whole prefixes and service lists.
 */
public final class BodyLimit {
    public static final String SETTING = "consul.client.max-response-size";
    public static final String BULK_SETTING = "consul.client.max-watch-response-size";
    private static final int FIRST_BUFFER = 4096;

    private final Request request;
    private final long limit;
    private final String setting;

    BodyLimit(Request request, long limit, String setting) {
        this.request = request;
        this.limit = limit;
        this.setting = setting;
    }

    /** A buffer for a body of {@code contentLength} bytes (-1: unknown), or the error when it is over the limit. */
    byte[] buffer(long contentLength, int status) {
        if (contentLength > limit) {
            throw tooLarge(status, "announces " + contentLength + " bytes");
        }
        return new byte[contentLength >= 0 ? (int) contentLength : FIRST_BUFFER];
    }

    /** {@code buffer} with room for {@code needed} bytes, or the error when that is over the limit. */
    byte[] room(byte[] buffer, long needed, int status) {
        if (needed > limit) {
            throw tooLarge(status, "has more than " + limit + " bytes");
        }
        if (needed <= buffer.length) {
            return buffer;
        }
        long grown = Math.max(needed, Math.min(limit, (long) buffer.length * 2));
        return Arrays.copyOf(buffer, (int) Math.min(grown, Integer.MAX_VALUE - 8));
    }

    /** Reads {@code body} (already decoded) to its end, within the limit. */
    byte[] read(InputStream body, long contentLength, int status) throws IOException {
        byte[] buffer = buffer(contentLength, status);
        int length = 0;
        while (true) {
            if (length == buffer.length) {
                int next = body.read();
                if (next < 0) {
                    break;
                }
                buffer = room(buffer, length + 1L, status);
                buffer[length++] = (byte) next;
            }
            int read = body.read(buffer, length, buffer.length - length);
            if (read < 0) {
                break;
            }
            length += read;
        }
        return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
    }

    private ConsulResponseException tooLarge(int status, String what) {
        return new ConsulResponseException(status, request + " answered HTTP " + status + " with a body that "
                + what + " (decoded), over the limit of " + limit + " bytes; raise " + setting
                + " if such answers are expected", null);
    }
}
