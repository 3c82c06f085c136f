package io.github.consulservlet.internal.config;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where each setting's text comes from: the first of the webapp's context-param, the
 * container's setting, the Java system property, Consul's environment variable and the
 * default, a context-param only where the {@link ContainerLock} lets the webapp set it. Owns
 * the four sources of one resolution; {@link SettingsResolver} and {@link CombinedSettings} ask
 * it for each setting's {@link Found}.
 */
final class SettingSources {
    static final String CONTEXT_PARAM = "context-param";
    static final String CONTAINER_SETTING = ContainerLock.LEVEL;
    static final String DEFAULT = "default";
    static final int DEFAULT_LEVEL = 4;
    private static final String SYSTEM_PROPERTY = "system property";
    private static final int ENVIRONMENT_LEVEL = 3;

    private final Map<String, String> contextParams;
    private final Map<String, String> containerSettings;
    private final Function<String, String> systemProperties;
    private final Map<String, String> environment;
    private final ContainerLock lock;
    private final String containerOrigin;

    SettingSources(Map<String, String> contextParams, Map<String, String> containerSettings,
            Function<String, String> systemProperties, Map<String, String> environment) {
        this(contextParams, containerSettings, CONTAINER_SETTING, systemProperties, environment);
    }

    /** {@code containerOrigin} names the container's settings in problems and warnings: {@code ConsulValve attribute}. */
    SettingSources(Map<String, String> contextParams, Map<String, String> containerSettings, String containerOrigin,
            Function<String, String> systemProperties, Map<String, String> environment) {
        this.containerOrigin = Objects.requireNonNull(containerOrigin, "containerOrigin");
        this.contextParams = Objects.requireNonNull(contextParams, "contextParams");
        this.containerSettings = Objects.requireNonNull(containerSettings, "containerSettings");
        this.systemProperties = Objects.requireNonNull(systemProperties, "systemProperties");
        this.environment = Objects.requireNonNull(environment, "environment");
        this.lock = new ContainerLock(contextParams, containerSettings, containerOrigin, systemProperties);
    }

    Map<String, String> contextParams() {
        return contextParams;
    }

    Map<String, String> containerSettings() {
        return containerSettings;
    }

    /** What the container's settings are called where they are named: {@code ConsulValve attribute}, {@code Jetty property}. */
    String containerOrigin() {
        return containerOrigin;
    }

    ContainerLock lock() {
        return lock;
    }

    /** The first level that has {@code setting}, or null when none has it and it has no default. */
    Found find(Setting<?> setting) {
        String value = lock.webappMaySet(setting) ? contextParams.get(setting.key) : null;
        if (value != null) {
            return new Found(setting, value.strip(), CONTEXT_PARAM, 0);
        }
        value = containerSettings.get(setting.key);
        if (value != null) {
            return new Found(setting, value.strip(), containerOrigin, 1);
        }
        value = systemProperties.apply(setting.key);
        if (value != null) {
            return new Found(setting, value.strip(), SYSTEM_PROPERTY, 2);
        }
        if (setting.environmentVariable != null) {
            value = environment.get(setting.environmentVariable);
            if (value != null && !value.isBlank()) {
                return new Found(setting, value.strip(), "environment variable " + setting.environmentVariable,
                        ENVIRONMENT_LEVEL);
            }
        }
        return setting.defaultValue == null ? null : new Found(setting, setting.defaultValue, DEFAULT, DEFAULT_LEVEL);
    }

    /** Whether {@code found} came from the environment or the default, where Consul's other variables apply too. */
    static boolean fromEnvironmentOrDefault(Found found) {
        return found.level() >= ENVIRONMENT_LEVEL;
    }

    /**
     * An environment variable that is no setting's own but changes one, such as
     * {@code CONSUL_HTTP_SSL}: stripped, null when unset or blank.
     */
    String environmentVariable(String name) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }
}
