package io.github.consulservlet.internal.client.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.protocol.HttpContext;

import io.github.consulservlet.ConsulException;

/**
 * Reads an answer on the I/O thread into a {@link Response}, within its {@link BodyLimit}. It
 * runs on the one I/O thread that every watch of the client shares, so nothing it does may
 * escape as anything but an {@link IOException} of this exchange: an answer over the limit, or
 * any other failure here, fails this call alone ({@link Failure} carries the reason out) and
 * the reactor goes on serving the others.
 */
final class BoundedResponseConsumer implements AsyncResponseConsumer<Response> {
    private static final int WINDOW = 65536;

    private final Request request;
    private final BodyLimit limit;
    private volatile FutureCallback<Response> callback;
    /** 0 until the status line and headers are in. */
    private volatile int status;
    private long index;
    /** Null before the headers and once the answer is done with, so that its memory goes at once. */
    private BodyLimit.Body body;
    private boolean delimitedByClose;

    BoundedResponseConsumer(Request request, BodyLimit limit) {
        this.request = request;
        this.limit = limit;
    }

    @Override
    public void consumeResponse(HttpResponse response, EntityDetails entity, HttpContext context,
            FutureCallback<Response> resultCallback) throws IOException {
        this.callback = resultCallback;
        this.status = response.getCode();
        this.delimitedByClose = Exchanges.delimitedByClose(response);
        try {
            index = Exchanges.index(response.getFirstHeader("X-Consul-Index"));
            body = limit.body(entity == null ? 0 : entity.getContentLength(), status);
        } catch (RuntimeException e) {
            throw new Failure(Transport.asConsulException(e, request));
        }
        if (entity == null) {
            resultCallback.completed(result());
        }
    }

    /** The answer's status, 0 while its headers are still to come. */
    int status() {
        return status;
    }

    @Override
    public void informationResponse(HttpResponse response, HttpContext context) {
        // 1xx: the answer is still to come
    }

    @Override
    public void updateCapacity(CapacityChannel channel) throws IOException {
        channel.update(WINDOW);
    }

    @Override
    public void consume(ByteBuffer data) throws IOException {
        try {
            body.append(data);
        } catch (RuntimeException e) {
            body = null; // the memory goes at once, not when the exchange is released
            throw new Failure(Transport.asConsulException(e, request));
        }
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) throws IOException {
        callback.completed(result());
    }

    private Response result() throws IOException {
        if (body.length() == 0 && delimitedByClose) {
            throw new Failure(Exchanges.cutShort(request, status, null));
        }
        try {
            return new Response(request, status, body.bytes(), index);
        } catch (RuntimeException e) {
            throw new Failure(Transport.asConsulException(e, request));
        } finally {
            body = null;
        }
    }

    @Override
    public void failed(Exception cause) {
        body = null; // the exchange's own callback hears of the failure
    }

    @Override
    public void releaseResources() {
        body = null;
    }

    /** Why this consumer failed its exchange: the exception the call ends with. */
    static final class Failure extends IOException {
        private static final long serialVersionUID = 1L;
        final transient ConsulException reason;

        Failure(ConsulException reason) {
            super(reason.getMessage(), reason);
            this.reason = reason;
        }
    }

    /** The reason of a {@link Failure} among {@code error}'s causes, or null. */
    static ConsulException reason(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof Failure failure) {
                return failure.reason;
            }
        }
        return null;
    }
}
