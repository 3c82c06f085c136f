package io.github.consulservlet;

import java.time.Duration;

/** Argument checks shared by the option types. */
final class Checks {
    private Checks() {
    }

    static String notBlank(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return value;
    }

    static long notNegative(long value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must be 0 or more, was " + value);
        }
        return value;
    }

    static Duration within(Duration value, Duration min, Duration max, String what) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(what + " must be between " + min.toSeconds() + "s and "
                    + max.toSeconds() + "s, was " + (value == null ? "null" : value.toMillis() + "ms"));
        }
        return value;
    }
}
