package io.github.consulservlet.internal.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with jitter, the one every retry loop of consul-servlet uses: the
 * n-th retry waits between half and all of {@code min * 2^(n-1)}, never more than {@code max},
 * so clients and webapps that failed together do not retry together.
 *
 * <p>Watches use {@link #WATCH_ERRORS} (or what {@code ConsulClient.Builder.retryBackoff} sets)
 * and {@link #WATCH_EARLY_ANSWER}; the registrars of one client share {@link #AGENT_FAILING} while
 * the agent cannot be reached and {@link #REGISTRAR_DEFAULT} for every other retry.
 */
public record Backoff(Duration min, Duration max) {
    /** A watch whose query failed: the server is struggling, so give it room. */
    public static final Backoff WATCH_ERRORS = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
    /** A blocking query answered long before its wait: a misbehaving server must not make us spin. */
    public static final Backoff WATCH_EARLY_ANSWER = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
    /**
     * The spacing of registration attempts on an agent that fails, for all its webapps
     * together: one every 1 to 2 seconds, so 200 webapps do not make 200 requests a second.
     */
    public static final Backoff AGENT_FAILING = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(2));
    /**
     * The registrar's other retries: a refusal (ACL, bad request) heals only when an operator
     * acts, and a maintenance change or a deregistration can wait: retry, but gently.
     */
    public static final Backoff REGISTRAR_DEFAULT = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30));

    /** The wait before retry number {@code attempt} (1 for the first retry), in milliseconds. */
    public long delayMillis(int attempt) {
        long ceiling = min.toMillis();
        for (int i = 1; i < attempt && ceiling < max.toMillis(); i++) {
            ceiling *= 2;
        }
        ceiling = Math.max(1, Math.min(ceiling, max.toMillis()));
        long half = ceiling / 2;
        return half + ThreadLocalRandom.current().nextLong(ceiling - half + 1);
    }
}
