package io.github.consulservlet.internal.registration;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.Optional;

import io.github.consulservlet.internal.client.AgentAddresses;
import io.github.consulservlet.spi.ExtensionLog;
import io.github.consulservlet.spi.ListeningAddress;

/**
 * Facts of this host for {@link AdvertisedAddress}: which of its addresses others can reach,
 * whether the agents are on loopback, and its name for default service IDs.
 */
final class Addresses {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulServletInitializer.class.getName());
    private static volatile String hostName;

    private Addresses() {
    }

    /**
     * The connector's host when it is bound to one address. Bound to every interface: empty
     * when the agent is on loopback (Consul then advertises the node's address, as it
     * prescribes for one agent per node), else an address of this host that others can
     * reach (not loopback, not link-local).
     */
    static String advertised(String agents, String boundHost) {
        if (!ListeningAddress.isEveryInterface(boundHost)) {
            return boundHost.startsWith("[") ? boundHost.substring(1, boundHost.length() - 1) : boundHost;
        }
        if (agentsOnLoopback(agents)) {
            return "";
        }
        return reachableAddress().orElseGet(() -> {
            LOG.log(System.Logger.Level.WARNING, "this host has no address other than loopback or link-local to"
                    + " advertise to a remote agent; set consul.service.address");
            return "";
        });
    }

    private static Optional<String> reachableAddress() {
        try {
            Optional<String> v6 = Optional.empty();
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isAnyLocalAddress()) {
                        continue;
                    }
                    if (!(address instanceof Inet6Address)) {
                        return Optional.of(address.getHostAddress());
                    }
                    if (v6.isEmpty()) {
                        v6 = Optional.of(address.getHostAddress());
                    }
                }
            }
            return v6;
        } catch (SocketException e) {
            return Optional.empty();
        }
    }

    static boolean agentsOnLoopback(String agents) {
        for (URI agent : AgentAddresses.parse(agents)) {
            if (!isLoopback(AgentAddresses.host(agent))) {
                return false;
            }
        }
        return true;
    }

    static boolean isLoopback(String host) {
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return bare.equalsIgnoreCase("localhost") || bare.startsWith("127.") || bare.equals("::1")
                || bare.equals("0:0:0:0:0:0:0:1");
    }

    /**
     * This machine's name, for default service IDs: from the environment or the kernel, as
     * {@code hostname} prints it, so that no name lookup is made; a lookup only as a last resort.
     */
    static String hostName() {
        String name = hostName;
        if (name == null) {
            name = firstNonBlank(System.getenv("HOSTNAME"), System.getenv("COMPUTERNAME"),
                    read("/proc/sys/kernel/hostname"), read("/etc/hostname"));
            if (name == null) {
                try {
                    name = InetAddress.getLocalHost().getHostName();
                } catch (UnknownHostException e) {
                    name = "localhost";
                }
            }
            hostName = name;
        }
        return name;
    }

    private static String read(String file) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of(file)).strip();
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static String firstNonBlank(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate.strip();
            }
        }
        return null;
    }

    /** A host as a piece of a service ID: Consul IDs travel in URL paths, so only safe characters. */
    static String idPart(String host) {
        return host.replaceAll("[^A-Za-z0-9._-]", "-");
    }
}
