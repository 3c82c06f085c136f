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
        return resized(new byte[0], contentLength >= 0 ? (int) contentLength : FIRST_BUFFER, 0, status);
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
        return resized(buffer, (int) Math.min(grown, Integer.MAX_VALUE - 8), needed, status);
    }

    /** The first {@code length} bytes of {@code buffer}, or the error when the heap has no room for their copy. */
    byte[] trimmed(byte[] buffer, int length, int status) {
        return length == buffer.length ? buffer : resized(buffer, length, length, status);
    }

    /**
     * {@code buffer} copied to {@code size} bytes, for an answer of {@code read} bytes so far. A limit may be more than the heap can hold
     * beside everything else, and on the I/O thread an {@link OutOfMemoryError} would stop every
     * watch of the client for good: the allocation that failed is this answer's alone, so it
     * fails this call and nothing else.
     */
    private byte[] resized(byte[] buffer, int size, long read, int status) {
        try {
            return Arrays.copyOf(buffer, size);
        } catch (OutOfMemoryError e) {
            return throwNoRoom(status, size, read);
        }
    }

    private byte[] throwNoRoom(int status, int size, long read) {
        throw new ConsulResponseException(status, request + " answered HTTP " + status + " with a body the heap has"
                + " no room for: " + size + " bytes were needed after " + read + " bytes of it (the limit is " + limit
                + " bytes); lower " + setting + " or give the JVM more heap", null);
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
        return trimmed(buffer, length, status);
    }

    private ConsulResponseException tooLarge(int status, String what) {
        return new ConsulResponseException(status, request + " answered HTTP " + status + " with a body that "
                + what + " (decoded), over the limit of " + limit + " bytes; raise " + setting
                + " if such answers are expected", null);
    }
}
