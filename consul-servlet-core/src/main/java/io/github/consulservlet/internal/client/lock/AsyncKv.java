package io.github.consulservlet.internal.client.lock;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import io.github.consulservlet.ConsistencyMode;
import io.github.consulservlet.KvEntry;
import io.github.consulservlet.QueryOptions;
import io.github.consulservlet.internal.client.ClientRuntime;
import io.github.consulservlet.internal.client.json.GoDuration;
import io.github.consulservlet.internal.client.kv.HttpKeyValueStore;
import io.github.consulservlet.internal.client.transport.Request;
import io.github.consulservlet.internal.client.transport.Response;

/**
 * The KV and session calls of locks, sent without holding a thread: each answer is read on the
 * client's scheduler thread, never on an I/O thread. Reads may block (a Consul blocking query
 * with {@code index} and {@code wait}) and may ask for a consistent read, as the Go client's
 * monitors do ({@code RequireConsistent}).
 */
final class AsyncKv {
    private static final String KV = "/v1/kv";
    private static final QueryOptions CONSISTENT = QueryOptions.builder().consistency(ConsistencyMode.CONSISTENT).build();

    final ClientRuntime runtime;
    private final Executor scheduler;

    AsyncKv(ClientRuntime runtime) {
        this.runtime = runtime;
        this.scheduler = task -> {
            try {
                runtime.scheduler.execute(task);
            } catch (RejectedExecutionException e) {
                task.run(); // the client is closing: finish the step here rather than leave a caller waiting
            }
        };
    }

    /** An answer and the {@code X-Consul-Index} it came with. */
    record Read<T>(T value, long index) {
    }

    CompletableFuture<Read<Optional<KvEntry>>> get(String key, long index, Duration wait, boolean consistent) {
        Request request = read(Request.get(KV, key), index, wait, consistent);
        return send(request).thenApply(r -> new Read<>(HttpKeyValueStore.readOne(r), r.index));
    }

    CompletableFuture<Read<List<KvEntry>>> list(String prefix, long index, Duration wait, boolean consistent) {
        Request request = read(Request.get(KV, prefix).flag("recurse").bulk(), index, wait, consistent);
        return send(request).thenApply(r -> new Read<>(HttpKeyValueStore.readAll(r), r.index));
    }

    /** A write with {@code mode} ({@code acquire}, {@code release} or {@code cas}) set to {@code argument}, or a plain one. */
    CompletableFuture<Boolean> put(String key, byte[] value, long flags, String mode, String argument) {
        Request request = Request.put(KV, key).param("flags", Long.toUnsignedString(flags));
        if (mode != null) {
            request.param(mode, argument);
        }
        runtime.datacenter(request, null);
        return send(request.bytes(value)).thenApply(Response::bool);
    }

    CompletableFuture<Boolean> delete(String key) {
        return send(runtime.datacenter(Request.of("DELETE", KV, key), null)).thenApply(Response::bool);
    }

    /** Sends {@code request}; the answer, whatever its status, is handed on on the scheduler thread. */
    CompletableFuture<Response> send(Request request) {
        return runtime.transport.send(request).thenApplyAsync(r -> r, scheduler);
    }

    Executor scheduler() {
        return scheduler;
    }

    private Request read(Request request, long index, Duration wait, boolean consistent) {
        runtime.read(request, consistent ? CONSISTENT : QueryOptions.DEFAULT);
        if (index > 0) {
            request.param("index", Long.toString(index)).param("wait", GoDuration.format(wait));
            // Consul may hold the answer up to wait + wait/16 of jitter; the read timeout is a margin on top.
            request.responseTimeout = wait.plus(wait.dividedBy(16)).plus(runtime.readTimeout);
        }
        return request;
    }
}
