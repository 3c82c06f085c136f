package io.github.consulservlet.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class StartedGateTest {
    private final AtomicInteger opened = new AtomicInteger();

    @Test
    void aWebappDeployedWithTheContainerWaitsForTheContainersStart() {
        StartedGate gate = new StartedGate(() -> false, opened::incrementAndGet);
        gate.attached();
        gate.webappStarted();
        assertEquals(0, opened.get(), "connectors not bound yet");
        gate.containerStarted();
        assertEquals(1, opened.get());
        assertTrue(gate.isOpen());
    }

    @Test
    void aWebappDeployedIntoAStartedContainerOpensAsItStarts() {
        StartedGate gate = new StartedGate(() -> true, opened::incrementAndGet);
        gate.attached();
        assertEquals(0, opened.get(), "the webapp has not started");
        gate.webappStarted();
        assertEquals(1, opened.get());
    }

    @Test
    void nothingOpensBeforeTheLifecycleIsHandedOver() {
        StartedGate gate = new StartedGate(() -> true, opened::incrementAndGet);
        gate.webappStarted();
        gate.containerStarted();
        assertFalse(gate.isOpen());
        gate.attached();
        assertEquals(1, opened.get(), "the hand-over, last, opens it");
    }

    @Test
    void itOpensOnceWhateverComesAgain() {
        AtomicBoolean containerStarted = new AtomicBoolean();
        StartedGate gate = new StartedGate(containerStarted::get, opened::incrementAndGet);
        gate.attached();
        gate.webappStarted();
        containerStarted.set(true);
        gate.containerStarted();
        gate.containerStarted();
        gate.webappStarted();
        gate.attached();
        assertEquals(1, opened.get());
    }

    @Test
    void theContainerStartRacingTheWebappStartOpensItExactlyOnce() throws InterruptedException {
        for (int round = 0; round < 200; round++) {
            AtomicBoolean containerStarted = new AtomicBoolean();
            AtomicInteger runs = new AtomicInteger();
            StartedGate gate = new StartedGate(containerStarted::get, runs::incrementAndGet);
            gate.attached();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            threads.add(new Thread(() -> {
                await(go);
                gate.webappStarted();
            }));
            threads.add(new Thread(() -> {
                await(go);
                containerStarted.set(true); // as a container sets its state, then tells its listeners
                gate.containerStarted();
            }));
            threads.forEach(Thread::start);
            go.countDown();
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
            assertEquals(1, runs.get(), "round " + round);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
