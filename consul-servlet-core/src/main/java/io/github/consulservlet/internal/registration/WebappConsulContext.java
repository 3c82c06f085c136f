package io.github.consulservlet.internal.registration;

import io.github.consulservlet.ConsulContext;
import io.github.consulservlet.Discovery;
import io.github.consulservlet.KeyValueStore;
import io.github.consulservlet.Locks;
import io.github.consulservlet.Registration;
import io.github.consulservlet.Sessions;
import io.github.consulservlet.internal.client.ScopedConsulContext;
import io.github.consulservlet.spi.ContainerAdapter;
import io.github.consulservlet.spi.WebappLifecycle;

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
     * Has the pool release what this webapp holds if it goes away without {@link #close()}, as
     * when its deployment fails after consul-servlet set it up (nothing was registered then).
     * What the pool keeps refers to neither this context nor the webapp's code: only the scope
     * and the lease. Answers what closes this context, for {@link WebappLifecycle#stopped()}.
     */
    Runnable closeIfAbandoned(ClientPool pool) {
        ScopedConsulContext abandonedScope = scope; // locals: a lambda reading the fields would hold this
        ClientPool.Lease lease = registration.lease();
        Runnable forget = pool.closeIfAbandoned(this, () -> {
            try {
                abandonedScope.close();
            } finally {
                lease.release();
            }
        });
        ScopedConsulContext scope = this.scope;
        WebappRegistration registration = this.registration;
        ContainerAdapter.Binding binding = this.binding;
        Runnable handle = () -> {
            forget.run();
            closeAll(scope, registration, binding);
        };
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
    public Locks locks() {
        return scope.locks();
    }

    @Override
    public Registration registration() {
        return registration;
    }

    /**
     * Releases the webapp's locks (a webapp that is going must not stay leader while it
     * deregisters), deregisters if not yet done, then stops the webapp's watches, destroys its
     * sessions and lets go of the shared client. Idempotent.
     */
    void close() {
        close.run();
    }

    /** Static, so that what the pool keeps for an abandoned webapp does not keep this context alive. */
    private static void closeAll(ScopedConsulContext scope, WebappRegistration registration, ContainerAdapter.Binding binding) {
        try {
            scope.releaseLocks();
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
