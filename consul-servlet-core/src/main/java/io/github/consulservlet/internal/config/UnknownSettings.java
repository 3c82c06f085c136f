package io.github.consulservlet.internal.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Warns of every {@code consul.*} key that is no setting, naming the setting it was most likely
 * meant to be (a typo of at most three letters), as Tomcat's {@code SetPropertiesRule} warns of an
 * unknown attribute: a misspelled key is ignored, it does not cost the webapp its registration.
 * The resolver calls it first, for the context-params and for the container's settings; the
 * Jetty module calls {@link #warning} for the keys of its ini files, and the Tomcat valve
 * {@link #nearestIgnoringCase} for its attributes.
 */
public final class UnknownSettings {
    private static final int MAX_TYPOS = 3;

    private UnknownSettings() {
    }

    /** Adds a warning to {@code parser} for each unknown key of {@code settings}, set at {@code origin}. */
    static void check(Map<String, String> settings, String origin, SettingParser parser) {
        for (String key : settings.keySet()) {
            warning(key, origin).ifPresent(parser::warning);
        }
    }

    /**
     * The warning for {@code key} set at {@code origin}, or empty when it is a setting or no
     * {@code consul.*} key. Never shows the value: a misspelled token holds the token.
     */
    public static Optional<String> warning(String key, String origin) {
        if (!key.startsWith("consul.") || Setting.byKey(key).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(key + " (" + origin + ") is not a consul-servlet setting and is ignored; "
                + closest(key).map(s -> "did you mean " + s.key + "?").orElse("expected one of the settings in docs/configuration.md"));
    }

    private static Optional<Setting<?>> closest(String key) {
        return Setting.values().stream()
                .filter(s -> distance(s.key, key) <= MAX_TYPOS)
                .min((a, b) -> Integer.compare(distance(a.key, key), distance(b.key, key)));
    }

    /**
     * The one of {@code names} that {@code name} most likely misspells, at most three letters off
     * whatever their case: Tomcat's attributes are case-sensitive, typos of them often are not.
     */
    public static Optional<String> nearestIgnoringCase(String name, Collection<String> names) {
        String lower = name.toLowerCase(Locale.ROOT);
        Comparator<String> byDistance = Comparator.comparingInt(n -> distance(n.toLowerCase(Locale.ROOT), lower));
        return names.stream().filter(n -> distance(n.toLowerCase(Locale.ROOT), lower) <= MAX_TYPOS).min(byDistance);
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
