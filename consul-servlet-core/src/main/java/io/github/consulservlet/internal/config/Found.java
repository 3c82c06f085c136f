package io.github.consulservlet.internal.config;

/**
 * One setting's text as {@link SettingSources} found it, with where: the origin that every
 * problem and warning names, and the level (0 context-param ... 4 default) that decides which of
 * two settings given together wins. Made by {@link SettingSources}; read by {@link SettingsResolver} and by
 * {@link CombinedSettings}.
 */
record Found(Setting<?> setting, String value, String origin, int level) {
    /** The setting, its value (never a secret one's) and where it came from: how every problem starts. */
    String describe() {
        return setting.key + (setting.secret() ? "" : " '" + value + "'") + " (" + origin + ")";
    }

    /** Whether nothing set it and this is its default (or a value derived in its place). */
    boolean isDefault() {
        return level == SettingSources.DEFAULT_LEVEL;
    }
}
