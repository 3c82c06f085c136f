package io.github.consulservlet.internal.config;

import java.util.OptionalInt;

/**
 * One entry of {@code consul.service.tagged-addresses}: the address (and port) the instance is
 * reached at from another network, such as {@code wan}
 * (https://developer.hashicorp.com/consul/api-docs/agent/service#taggedaddresses).
 *
 * @param address a host name or IP address, IPv6 without brackets
 * @param port its port, or 0 for the instance's own port
 */
public record TaggedAddress(String address, int port) {

    /** The port when one was given; the instance's port is used otherwise. */
    public OptionalInt givenPort() {
        return port == 0 ? OptionalInt.empty() : OptionalInt.of(port);
    }
}
