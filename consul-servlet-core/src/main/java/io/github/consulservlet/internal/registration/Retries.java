package io.github.consulservlet.internal.registration;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with jitter for registrar retries: the n-th retry waits between
 * half and all of {@code 200ms * 2^(n-1)}, at most {@code max}, so webapps that failed together
 * do not retry together.
 */
final class Retries {
    private static final long FIRST_MILLIS = 200;

    private Retries() {
    }

    static long delayMillis(int attempt, Duration max) {
        long ceiling = FIRST_MILLIS;
        for (int i = 1; i < attempt && ceiling < max.toMillis(); i++) {
            ceiling *= 2;
        }
        ceiling = Math.min(ceiling, max.toMillis());
        long half = ceiling / 2;
        return half + ThreadLocalRandom.current().nextLong(ceiling - half + 1);
    }
}
