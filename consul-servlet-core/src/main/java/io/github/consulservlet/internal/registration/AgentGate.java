package io.github.consulservlet.internal.registration;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

import io.github.consulservlet.internal.client.Backoff;

/**
 * One backoff per agent, not per webapp: while the agent fails (unreachable, 5xx), the
 * registrations of all the webapps of one shared client take turns, one every
 * {@link Backoff#AGENT_FAILING} (1 to 2 s, jittered), and as soon as one succeeds every waiting
 * webapp is told to go at once, so all are registered within one round of the agent's return.
 * Owned by the {@link SharedClient}; asked by each {@link Registrar} before it calls the agent.
 */
final class AgentGate {
    // guarded by this; weak, so a webapp that stopped while it waited is not kept
    private final Map<Registrar, Long> turns = new WeakHashMap<>();
    private boolean failing;
    private long nextTurn;

    /** How long {@code registrar} waits before it may call the agent, in ms: 0 to go now. */
    synchronized long admit(Registrar registrar) {
        if (!failing) {
            return 0;
        }
        long now = System.nanoTime();
        Long turn = turns.get(registrar);
        if (turn == null) {
            turn = Math.max(now, nextTurn);
            nextTurn = turn + TimeUnit.MILLISECONDS.toNanos(Backoff.AGENT_FAILING.delayMillis(1));
            turns.put(registrar, turn);
        }
        if (turn - now <= 0) {
            turns.remove(registrar);
            return 0;
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(turn - now));
    }

    /** The agent could not take a registration. */
    synchronized void failed() {
        if (!failing) {
            failing = true;
            nextTurn = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Backoff.AGENT_FAILING.delayMillis(1));
        }
    }

    /** The agent took a registration: every webapp waiting for its turn goes now. */
    void succeeded() {
        List<Registrar> waiting;
        synchronized (this) {
            if (!failing) {
                return;
            }
            failing = false;
            waiting = new ArrayList<>(turns.keySet());
            turns.clear();
        }
        waiting.forEach(Registrar::hurry);
    }

    /** Whether {@code registrar} still waits for a turn: not once the agent took a registration meanwhile. */
    synchronized boolean waits(Registrar registrar) {
        return turns.containsKey(registrar);
    }

    synchronized void forget(Registrar registrar) {
        turns.remove(registrar);
    }
}
