package io.github.consulservlet.spi;

import java.util.List;
import java.util.Optional;

import io.github.consulservlet.internal.config.Setting;
import io.github.consulservlet.internal.config.UnknownSettings;

/**
 * A {@code consul.*} setting as a container adapter sees it: its name, the Tomcat valve attribute
 * that sets it, and whether a container may set it for all its webapps (a service's name or ID
 * names one webapp, so only its {@code web.xml} may set them).
 *
 * @param key            the setting's name, such as {@code consul.check.interval}
 * @param valveAttribute the valve attribute that sets it, such as {@code checkInterval}
 * @param containerMaySet whether a container-level setting (valve attribute, Jetty property) may set it
 */
public record ContainerSetting(String key, String valveAttribute, boolean containerMaySet) {
    private static final List<ContainerSetting> ALL = Setting.values().stream()
            .map(s -> new ContainerSetting(s.key(), s.valveAttribute(), s.containerMaySet())).toList();
    private static final List<String> CONTAINER_ATTRIBUTES = ALL.stream()
            .filter(ContainerSetting::containerMaySet).map(ContainerSetting::valveAttribute).toList();

    /** Every setting, in the order they are documented. */
    public static List<ContainerSetting> all() {
        return ALL;
    }

    /** The setting named {@code key}, if there is one. */
    public static Optional<ContainerSetting> byKey(String key) {
        return ALL.stream().filter(s -> s.key.equals(key)).findFirst();
    }

    /**
     * The warning for a {@code consul.*} key that is no setting, set at {@code origin}, naming the
     * nearest setting ("did you mean consul.service.name?"), never the value; empty for a setting
     * or a key outside {@code consul.*}. For keys an adapter reads itself, such as those of Jetty's
     * ini files.
     */
    public static Optional<String> unknownKeyWarning(String key, String origin) {
        return UnknownSettings.warning(key, origin);
    }

    /** The valve attributes a container may set, in the order they are documented. */
    public static List<String> containerValveAttributes() {
        return CONTAINER_ATTRIBUTES;
    }

    /**
     * The container-level valve attribute that {@code attribute} most likely misspells (at most
     * three letters off, whatever their case), if one is that near.
     */
    public static Optional<String> nearestValveAttribute(String attribute) {
        return UnknownSettings.nearestIgnoringCase(attribute, CONTAINER_ATTRIBUTES);
    }
}
