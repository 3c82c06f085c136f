package io.github.consulservlet.spi;

/**
 * One webapp's lifecycle as a {@link ContainerAdapter} reports it. Safe to call from any thread;
 * each call after the first of its kind does nothing more, but a later {@link #stopping()}, too,
 * returns only once the first one has.
 */
public interface WebappLifecycle {

    /**
     * The webapp has started and the container accepts its traffic on {@code port}, bound to
     * {@code host} (empty, or a wildcard address, when bound to every interface). Registration
     * starts in the background: this returns at once.
     */
    default void started(String host, int port) {
        started(host, port, false);
    }

    /**
     * As {@link #started(String, int)}, saying whether the connector speaks TLS ({@code https}):
     * then the agent's HTTP checks probe {@code https://}, and {@code consul.check.tls-skip-verify}
     * or {@code consul.check.tls-server-name} tell it how to trust the certificate.
     */
    void started(String host, int port, boolean tls);

    /**
     * The webapp is about to stop. Returns once it is out of Consul: its liveness answers 503, it
     * is put in maintenance, requests in flight are given up to {@code consul.drain} to finish,
     * then it is deregistered (and retried in the background if the agent cannot be reached).
     */
    void stopping();

    /**
     * The webapp has stopped, or failed to start: its {@code ConsulContext} is closed and
     * everything of it released, as from {@code contextDestroyed}, which a container does not
     * call when the webapp failed before its listeners were initialized. Deregisters first if
     * {@link #stopping()} was not called.
     */
    void stopped();
}
