package io.github.consulservlet.internal.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.Registration.State;

class RegistrationStateTest {

    @Test
    void aWebappGoesFromStartingToDeregistered() {
        RegistrationState.Cell cell = new RegistrationState.Cell();
        assertEquals(State.STARTING, cell.get().phase());
        assertTrue(cell.advance(RegistrationState::start));
        assertTrue(cell.advance(RegistrationState::registering));
        assertEquals(State.REGISTERING, cell.get().phase());
        assertTrue(cell.advance(RegistrationState::registered));
        assertTrue(cell.get().isRegistered() && cell.get().everRegistered());
        assertTrue(cell.advance(RegistrationState::registerAgain));
        assertEquals(State.REGISTERING, cell.get().phase());
        assertTrue(cell.get().everRegistered(), "registering again keeps what an operator set");
        assertTrue(cell.advance(RegistrationState::registered));
        assertTrue(cell.advance(RegistrationState::stop));
        assertFalse(cell.get().isRegistered(), "stopping: no more TTL reports or maintenance changes");
        assertTrue(cell.advance(RegistrationState::drain));
        assertEquals(State.DRAINING, cell.get().phase());
        assertTrue(cell.advance(RegistrationState::deregistered));
        assertEquals(State.DEREGISTERED, cell.get().phase());
        assertTrue(cell.advance(RegistrationState::close));
        assertFalse(cell.advance(RegistrationState::close), "closed once");
    }

    @Test
    void eventsThatComeTwiceOrTooLateChangeNothing() {
        RegistrationState stopping = RegistrationState.INITIAL.start().stop();
        assertSame(stopping, stopping.start(), "started once");
        assertSame(stopping, stopping.stop(), "stopped once");
        assertSame(stopping, stopping.registering(), "no registration once stopping");
        assertSame(stopping, stopping.registered(), "a registration that lands after the stop is undone, not shown");
        assertSame(stopping, stopping.registerAgain());
        RegistrationState neverStarted = RegistrationState.INITIAL.stop();
        assertSame(neverStarted, neverStarted.start(), "a webapp stopping before it started is never registered");
        assertSame(neverStarted, neverStarted.drain(), "nothing to drain: it stays STARTING");
        RegistrationState registering = RegistrationState.INITIAL.start().registering();
        assertSame(registering, registering.registerAgain(), "only a registered instance registers again");
    }
}
