package io.github.consulservlet.internal.client;

import java.time.Duration;

import io.github.consulservlet.internal.client.json.GoDuration;

/**
 * One KV key with Consul's blocking semantics, for {@link FakeAgent}: a query whose index is
 * the current one waits until the key changes or its wait runs out.
 */
final class KvState implements FakeAgent.Script {
    private final String key;
    private String value;
    private long index = 1;
    private long modifyIndex = 1;

    KvState(String key, String value) {
        this.key = key;
        this.value = value;
    }

    synchronized void set(String newValue) {
        value = newValue;
        index++;
        modifyIndex = index;
        notifyAll();
    }

    /** Moves the index without changing the data, as Consul does when another key changes. */
    synchronized void touch() {
        index++;
        notifyAll();
    }

    @Override
    public synchronized FakeAgent.Answer answer(FakeAgent.Call call) throws InterruptedException {
        long asked = call.index();
        if (asked >= index) {
            Duration wait = call.param("wait").map(GoDuration::parse).orElse(Duration.ofMinutes(5));
            long deadline = System.nanoTime() + wait.toNanos();
            while (asked >= index && System.nanoTime() < deadline) {
                wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
        }
        return value == null ? new FakeAgent.Answer(404, index, "")
                : new FakeAgent.Answer(200, index, FakeAgent.kvBody(key, value, modifyIndex));
    }
}
