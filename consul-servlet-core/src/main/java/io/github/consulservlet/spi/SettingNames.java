package io.github.consulservlet.spi;

import java.util.List;

import io.github.consulservlet.internal.config.ConsulSettings;

/**
 * The names of every {@code consul.*} setting, in the order they are documented: what a container
 * adapter accepts as its container-level settings (the Tomcat valve's attributes, the Jetty
 * module's properties).
 */
public final class SettingNames {
    private SettingNames() {
    }

    /** Every setting's name, such as {@code consul.check.interval}. */
    public static List<String> all() {
        return ConsulSettings.names();
    }
}
