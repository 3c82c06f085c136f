package io.github.consulservlet;

/**
 * A piece of a webapp's liveness, added with {@link Registration#addLivenessProbe}. The webapp is
 * up when every probe is; the worst answer wins. Probes run on the thread that asks for liveness
 * (the request thread of the liveness endpoint in {@code http} check mode; in {@code ttl} mode
 * consul-servlet's probe thread, with the webapp's class loader as context class loader), so
 * answer quickly from state the app already keeps. In {@code ttl} mode a probe that has not
 * answered by the next report makes the check critical, and holds up the other {@code ttl}
 * webapps' probes of the same agent.
 */
@FunctionalInterface
public interface LivenessProbe {

    /**
     * This part's liveness now. A probe that throws counts as {@link Liveness#down down}, with
     * the exception's class and message as its note.
     */
    Liveness check() throws Exception;
}
