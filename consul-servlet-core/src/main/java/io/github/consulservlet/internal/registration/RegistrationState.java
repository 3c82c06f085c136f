package io.github.consulservlet.internal.registration;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import io.github.consulservlet.Registration;

/**
 * Where one webapp's registration is, as one immutable value: the phase the webapp sees and the
 * facts its parts decide on. Each event method answers the state after that event, or this very
 * value when the event changes nothing from here (it came twice, or too late); {@link Cell}
 * applies events atomically. Held by {@link WebappRegistration}'s {@link Instance}; advanced by
 * its parts.
 *
 * @param phase what {@link Registration#state()} answers
 * @param started the container reported the webapp started
 * @param stopping the container reported the webapp stopping: its liveness is DOWN, nothing more is scheduled
 * @param everRegistered the agent accepted a registration of this instance once
 * @param closed everything of the webapp was let go
 */
record RegistrationState(Registration.State phase, boolean started, boolean stopping, boolean everRegistered,
        boolean closed) {

    static final RegistrationState INITIAL = new RegistrationState(Registration.State.STARTING, false, false, false, false);

    /** The container reported the webapp started: heard once, and not once it is stopping. */
    RegistrationState start() {
        return started || stopping ? this : new RegistrationState(phase, true, false, everRegistered, closed);
    }

    /** The first registration is due. */
    RegistrationState registering() {
        return stopping ? this : withPhase(Registration.State.REGISTERING);
    }

    /** The agent lost the instance or its check: registered again, unless it is stopping. */
    RegistrationState registerAgain() {
        return isRegistered() ? withPhase(Registration.State.REGISTERING) : this;
    }

    /** The agent accepted a registration; too late when the webapp is stopping meanwhile. */
    RegistrationState registered() {
        return stopping ? this : new RegistrationState(Registration.State.REGISTERED, started, false, true, closed);
    }

    RegistrationState stop() {
        return stopping ? this : new RegistrationState(phase, started, true, everRegistered, closed);
    }

    /** The webapp drains before it leaves; one that never started has nothing to leave. */
    RegistrationState drain() {
        return started ? withPhase(Registration.State.DRAINING) : this;
    }

    RegistrationState deregistered() {
        return withPhase(Registration.State.DEREGISTERED);
    }

    RegistrationState close() {
        return closed ? this : new RegistrationState(phase, started, stopping, everRegistered, true);
    }

    /** Registered and not stopping: what TTL reports, maintenance changes and anti-entropy act on. */
    boolean isRegistered() {
        return phase == Registration.State.REGISTERED && !stopping;
    }

    private RegistrationState withPhase(Registration.State next) {
        return phase == next ? this : new RegistrationState(next, started, stopping, everRegistered, closed);
    }

    /** The one mutable reference to a webapp's state. */
    static final class Cell {
        private final AtomicReference<RegistrationState> current = new AtomicReference<>(INITIAL);

        RegistrationState get() {
            return current.get();
        }

        /** Applies {@code event}; whether it changed the state (false: it came twice, or too late). */
        boolean advance(UnaryOperator<RegistrationState> event) {
            while (true) {
                RegistrationState before = current.get();
                RegistrationState after = event.apply(before);
                if (after == before) {
                    return false;
                }
                if (current.compareAndSet(before, after)) {
                    return true;
                }
            }
        }
    }
}
