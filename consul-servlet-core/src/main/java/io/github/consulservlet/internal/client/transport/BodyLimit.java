package io.github.consulservlet.internal.client.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.github.consulservlet.ConsulResponseException;

/**
 * The most bytes one answer's body may have once decoded, counted as it arrives, so that an
 * endless, huge or gzip-bombed answer costs at most the limit in memory and fails its own call
 * with a message naming the endpoint and the setting to raise. Watches and recursive reads have
 * their own, larger limit: they read whole prefixes and service lists. No limit is more than
 * an eighth of the heap, whatever the setting says.
 */
public final class BodyLimit {
    public static final String SETTING = "consul.client.max-response-size";
    public static final String BULK_SETTING = "consul.client.max-watch-response-size";
    /** A block of a body of unknown length: the size of the reads, so that a block is seldom copied twice. */
    private static final int BLOCK = 65536;
    /**
     * The part of the JVM's heap one body may take. At its peak an answer costs about four times
     * its size (the blocks, the assembled array, the parsed values), so an eighth keeps it to half
     * the heap. A limit the heap cannot hold would fail, with an {@link OutOfMemoryError}, whichever
     * thread of the container allocated next, not this call.
     */
    private static final long HEAP_SHARE_DIVISOR = 8;
    private static final String HEAP_SHARE = "an eighth";

    private final Request request;
    private final long limit;
    private final String setting;
    /** Whether the heap, not the setting, gave the limit: the error then says to give the JVM more heap. */
    private final boolean heapBound;

    BodyLimit(Request request, long limit, String setting) {
        this(request, limit, setting, Runtime.getRuntime().maxMemory());
    }

    BodyLimit(Request request, long limit, String setting, long maxHeap) {
        long heapShare = maxHeap / HEAP_SHARE_DIVISOR;
        this.request = request;
        this.heapBound = heapShare < limit;
        this.limit = Math.min(limit, heapShare);
        this.setting = setting;
    }

    long limit() {
        return limit;
    }

    /** A buffer for a body of {@code contentLength} bytes (-1: unknown), or the error when it is over the limit. */
    Body body(long contentLength, int status) {
        if (contentLength > limit) {
            throw tooLarge(status, "announces " + contentLength + " bytes");
        }
        return new Body(contentLength, status);
    }

    /** Reads {@code body} (already decoded) to its end, within the limit. */
    byte[] read(InputStream body, long contentLength, int status) throws IOException {
        Body read = body(contentLength, status);
        // one read more than the length announced, to see the end; a block at a time when none is
        byte[] chunk = new byte[contentLength >= 0 ? (int) Math.min(BLOCK, contentLength + 1) : BLOCK];
        for (int n = body.read(chunk); n >= 0; n = body.read(chunk)) {
            read.append(ByteBuffer.wrap(chunk, 0, n));
        }
        return read.bytes();
    }

    /**
     * One body as it arrives. A body of known length goes into one array of that length; one of
     * unknown length into blocks, put together once at the end, so that what it costs is twice
     * its size, not the sum of ever larger copies.
     */
    final class Body {
        private final int status;
        private final List<byte[]> blocks = new ArrayList<>();
        private byte[] block;
        private int used;
        private long length;

        private Body(long contentLength, int status) {
            this.status = status;
            this.block = allocated(contentLength >= 0 ? (int) contentLength : 0);
        }

        /** Takes {@code data}, or fails when that would put the body over the limit or the heap has no room. */
        void append(ByteBuffer data) {
            if (length + data.remaining() > limit) {
                throw tooLarge(status, "has more than " + limit + " bytes");
            }
            while (data.hasRemaining()) {
                if (used == block.length) {
                    if (used > 0) {
                        blocks.add(block);
                    }
                    block = allocated(BLOCK);
                    used = 0;
                }
                int size = Math.min(data.remaining(), block.length - used);
                data.get(block, used, size);
                used += size;
                length += size;
            }
        }

        long length() {
            return length;
        }

        /** The body, in one array of its length. */
        byte[] bytes() {
            if (blocks.isEmpty() && used == block.length) {
                return block;
            }
            byte[] whole = allocated((int) length);
            int at = 0;
            for (byte[] full : blocks) {
                System.arraycopy(full, 0, whole, at, full.length);
                at += full.length;
            }
            System.arraycopy(block, 0, whole, at, used);
            return whole;
        }

        /**
         * A new array. A limit may be more than the heap can hold beside everything else, and on
         * the I/O thread an {@link OutOfMemoryError} would stop every watch of the client for
         * good: the allocation that failed is this answer's alone, so it fails this call and
         * nothing else.
         */
        private byte[] allocated(int size) {
            try {
                return new byte[size];
            } catch (OutOfMemoryError e) {
                blocks.clear();
                block = new byte[0];
                throw new ConsulResponseException(status, request + " answered HTTP " + status + " with a body the heap"
                        + " has no room for: " + size + " bytes were needed after " + length + " bytes of it (the limit is "
                        + limit + " bytes); lower " + setting + " or give the JVM more heap", null);
            }
        }
    }

    private ConsulResponseException tooLarge(int status, String what) {
        String raise = heapBound
                ? " (" + HEAP_SHARE + " of this JVM's heap, which is less than " + setting + "); give the JVM more heap"
                : "; raise " + setting;
        return new ConsulResponseException(status, request + " answered HTTP " + status + " with a body that "
                + what + " (decoded), over the limit of " + limit + " bytes" + raise + " if such answers are expected",
                null);
    }
}
