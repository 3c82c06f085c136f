package io.github.consulservlet.internal.config;

import java.util.Map;
import java.util.Optional;

/**
 * Names every {@code consul.*} key that is no setting, with the setting it was most likely meant
 * to be (a typo of at most three letters). The resolver calls it first, for the context-params
 * and for the container's settings.
 */
final class UnknownSettings {
    private static final int MAX_TYPOS = 3;

    private UnknownSettings() {
    }

    /** Adds a problem to {@code parser} for each unknown key of {@code settings}, set at {@code origin}. */
    static void check(Map<String, String> settings, String origin, SettingParser parser) {
        for (String key : settings.keySet()) {
            if (key.startsWith("consul.") && Setting.byKey(key).isEmpty()) {
                parser.problem(key + " (" + origin + ") is not a consul-servlet setting; expected "
                        + closest(key).map(s -> s.key + " or another").orElse("one") + " of the settings in docs/configuration.md");
            }
        }
    }

    private static Optional<Setting<?>> closest(String key) {
        return Setting.values().stream()
                .filter(s -> distance(s.key, key) <= MAX_TYPOS)
                .min((a, b) -> Integer.compare(distance(a.key, key), distance(b.key, key)));
    }

    /** The Levenshtein distance: how many letters to add, remove or change to make one the other. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
