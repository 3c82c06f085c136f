package io.github.consulservlet.internal.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with jitter: the n-th retry waits between half and all of
 * {@code min * 2^(n-1)}, never more than {@code max}, so clients that failed together do not
 * retry together.
 */
public record Backoff(Duration min, Duration max) {

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
