package io.github.consulservlet;

/**
 * A piece of a webapp's liveness, added with {@link Registration#addLivenessProbe}. The webapp is
 * up when every probe is; the worst answer wins. Probes run on the thread that asks for liveness
 * (the request thread of the liveness endpoint in {@code http} check mode, consul-servlet's
 * registrar thread in {@code ttl} mode): answer from state the app already keeps, quickly,
 * without blocking on I/O.
 */
@FunctionalInterface
public interface LivenessProbe {

    /**
     * This part's liveness now. A probe that throws counts as {@link Liveness#down down}, with
     * the exception's class and message as its note.
     */
    Liveness check() throws Exception;
}
