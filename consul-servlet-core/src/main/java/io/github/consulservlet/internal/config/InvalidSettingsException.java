package io.github.consulservlet.internal.config;

import java.util.List;

/**
 * One or more settings of a webapp cannot be used. The message is one line: for each, the
 * setting, its value, where it came from and the accepted form. A secret (the token) is never
 * shown.
 */
public final class InvalidSettingsException extends IllegalArgumentException {
    private final List<String> problems;

    InvalidSettingsException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem, in the order of the settings table. */
    public List<String> problems() {
        return problems;
    }
}
