package io.github.consulservlet.simulator;

import java.time.Duration;

/**
 * How a simulator is set up. The tunables carry the names of the Consul agent settings they
 * stand for (https://developer.hashicorp.com/consul/docs/agent/config/config-files), so a test
 * that shortens one says which real knob it turns.
 */
record SimulatorSettings(String host, int port, String nodeName, String datacenter, String aclToken,
        Duration sessionTtlMin, Duration checkReapInterval, Duration checkDeregisterIntervalMin) {
}
