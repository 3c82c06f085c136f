package io.github.consulservlet.internal.registration;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Which run of which container registered a service, as three {@code Meta} keys: the host, the
 * container (its base directory, {@code catalina.base} or {@code jetty.base}, and the connector
 * port) and the instance (one per start of the JVM). The keys do not start with {@code consul-},
 * which the agent reserves. {@link OrphanSweep} removes services of this host and container
 * that another instance left; {@link RegistrationRequest} puts the marker on every registration.
 */
public record InstanceMarker(String host, String container, String instance) {
    static final String HOST = "servlet-registrar-host";
    static final String CONTAINER = "servlet-registrar-container";
    static final String INSTANCE = "servlet-registrar-instance";
    /**
     * This start of the container: a JVM runs one container, but may hold several copies of this
     * class (Jetty's ee10 and ee11 environments, a jar bundled in WARs), so the ID is the JVM's,
     * kept in a system property; per copy, each would sweep the others' live services as orphans.
     */
    private static final String THIS_START = (String) System.getProperties()
            .computeIfAbsent("io.github.consulservlet.instance", key -> UUID.randomUUID().toString());
    private static final String THIS_HOST = localHost();

    /** The marker of this run of the container whose connector is on {@code port}. */
    public static InstanceMarker of(int port) {
        return new InstanceMarker(THIS_HOST, containerBase() + ":" + port, THIS_START);
    }

    public Map<String, String> meta() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(HOST, host);
        meta.put(CONTAINER, container);
        meta.put(INSTANCE, instance);
        return meta;
    }

    /** Whether {@code meta} is a service this container registered in another run. */
    boolean isOrphan(Map<String, String> meta) {
        return host.equals(meta.get(HOST)) && container.equals(meta.get(CONTAINER)) && meta.containsKey(INSTANCE)
                && !instance.equals(meta.get(INSTANCE));
    }

    private static String containerBase() {
        for (String property : new String[] {"catalina.base", "jetty.base"}) {
            String base = System.getProperty(property);
            if (base != null && !base.isBlank()) {
                return Path.of(base).toAbsolutePath().normalize().toString();
            }
        }
        return Path.of(System.getProperty("user.dir", ".")).toAbsolutePath().normalize().toString();
    }

    private static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException | SecurityException e) {
            // Not a shared constant: two unnamed hosts with the same base and port would sweep each
            // other's live services. Unique to this run, it matches no other run, so nothing is swept.
            return "unresolved-" + THIS_START;
        }
    }
}
