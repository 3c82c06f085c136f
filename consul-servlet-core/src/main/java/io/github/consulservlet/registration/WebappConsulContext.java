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

    WebappConsulContext(ScopedConsulContext scope, WebappRegistration registration) {
        this.scope = scope;
        this.registration = registration;
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

    /** Deregisters if not yet done, then stops the webapp's watches and destroys its sessions. */
    void close() {
        registration.stopping();
        scope.close();
        registration.close(); // last: it may close the shared client the scope still used
    }
}
