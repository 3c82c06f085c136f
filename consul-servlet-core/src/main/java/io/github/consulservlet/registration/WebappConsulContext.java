package io.github.consulservlet.registration;

import io.github.consulservlet.ConsulContext;
import io.github.consulservlet.Discovery;
import io.github.consulservlet.KeyValueStore;
import io.github.consulservlet.Registration;
import io.github.consulservlet.Sessions;
import io.github.consulservlet.client.ScopedConsulContext;

/** The context published to a webapp: its own scope on the shared client, and its registration. */
final class WebappConsulContext implements ConsulContext {
    private final ScopedConsulContext scope;
    private final WebappRegistration registration;
    private final ContainerAdapter.Binding binding;
    private volatile Runnable close;

    WebappConsulContext(ScopedConsulContext scope, WebappRegistration registration, ContainerAdapter.Binding binding) {
        this.scope = scope;
        this.registration = registration;
        this.binding = binding;
        this.close = () -> closeAll(scope, registration, binding);
    }

    /**
     * Has the pool close all this if the webapp goes away without {@link #close()}; answers what
     * closes it, which does not refer to this context (so that it can become unreachable).
     */
    Runnable closeIfAbandoned(ClientPool pool) {
        ScopedConsulContext scope = this.scope; // captured as locals: a lambda reading the fields would hold this
        WebappRegistration registration = this.registration;
        ContainerAdapter.Binding binding = this.binding;
        Runnable handle = pool.closeIfAbandoned(this, () -> closeAll(scope, registration, binding));
        close = handle;
        return handle;
    }

    @Override
    public Discovery discovery() {
        return scope.discovery();
    }

    @Override
    public KeyValueStore kv() {
        return scope.kv();
    }

    @Override
    public Sessions sessions() {
        return scope.sessions();
    }

    @Override
    public Registration registration() {
        return registration;
    }

    /**
     * Deregisters if not yet done, then stops the webapp's watches, destroys its sessions and
     * lets go of the shared client. Idempotent.
     */
    void close() {
        close.run();
    }

    /** Static, so that what the pool keeps for an abandoned webapp does not keep this context alive. */
    private static void closeAll(ScopedConsulContext scope, WebappRegistration registration, ContainerAdapter.Binding binding) {
        try {
            registration.stopping();
            scope.close();
        } finally {
            registration.close(); // last: it may close the shared client the scope still used
            if (binding != null) {
                binding.detach();
            }
        }
    }
}
