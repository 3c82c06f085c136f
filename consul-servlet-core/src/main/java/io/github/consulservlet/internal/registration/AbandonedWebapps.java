package io.github.consulservlet.internal.registration;

import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What webapps that were never stopped hold, released once the garbage collector finds them
 * unreachable: a webapp that failed to deploy after consul-servlet set it up may never hear
 * {@code contextDestroyed} (containers call it only for listeners that were initialized). Owned
 * by the {@link ClientPool}, which checks on each new lease and each anti-entropy pass; no thread
 * of its own.
 */
final class AbandonedWebapps {
    private final ReferenceQueue<Object> abandoned = new ReferenceQueue<>();
    private final Set<Orphan> orphans = ConcurrentHashMap.newKeySet();

    /** Runs {@code close} if {@code owner} becomes unreachable before the answer is run (which forgets it). */
    Runnable closeIfAbandoned(Object owner, Runnable close) {
        Orphan orphan = new Orphan(owner, abandoned, close);
        orphans.add(orphan);
        return () -> {
            orphans.remove(orphan);
            orphan.clear();
        };
    }

    void closeAbandoned() {
        for (Reference<?> gone = abandoned.poll(); gone != null; gone = abandoned.poll()) {
            Orphan orphan = (Orphan) gone;
            if (orphans.remove(orphan)) {
                RegistrationLog.releasingAbandoned();
                orphan.close.run();
            }
        }
    }

    private static final class Orphan extends PhantomReference<Object> {
        final Runnable close;

        Orphan(Object owner, ReferenceQueue<Object> queue, Runnable close) {
            super(owner, queue);
            this.close = close;
        }
    }
}
