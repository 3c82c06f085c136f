package io.github.consulservlet.spi;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A guard that lets one caller through for each start of a webapp: the adapter's answer to
 * consul-servlet's initializer (a second question during the same start, from a servlet's
 * {@code init}, say, must not get a new binding that would replace the real one), the one
 * {@link WebappLifecycle#stopped} of a start, a warning given once. Container adapters keep one
 * per thing to do once; {@link #startEnded} opens it again for the next start of the same
 * context, when the thing is once per start rather than once for good.
 */
public final class OncePerStart {
    private final AtomicBoolean taken = new AtomicBoolean();

    /** For a new guard, not taken. */
    public OncePerStart() {
    }

    /** True for the first caller since this guard was made or since the last {@link #startEnded}. */
    public boolean claim() {
        return taken.compareAndSet(false, true);
    }

    /** The start is over (the webapp stopped, or failed to start): the next start may claim again. */
    public void startEnded() {
        taken.set(false);
    }

    @Override
    public String toString() {
        return "OncePerStart{claimed=" + taken.get() + "}";
    }
}
