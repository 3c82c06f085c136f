package io.github.consulservlet.internal.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ServiceLoader;

import jakarta.servlet.ServletContainerInitializer;
import org.junit.jupiter.api.Test;

class ConsulServletInitializerTest {

    @Test
    void containersFindTheInitializerThroughMetaInfServices() {
        assertTrue(ServiceLoader.load(ServletContainerInitializer.class).stream()
                .anyMatch(sci -> sci.type() == ConsulServletInitializer.class));
    }

    @Test
    void theWebappServesTheCheckPathWhenOneOfItsMappingsTakesIt() {
        assertTrue(ConsulServletInitializer.matches("/health", "/health"));
        assertTrue(ConsulServletInitializer.matches("/status/*", "/status/live"));
        assertTrue(ConsulServletInitializer.matches("/status/*", "/status"));
        assertTrue(ConsulServletInitializer.matches("*.check", "/app.check"));
        assertFalse(ConsulServletInitializer.matches("/", "/consul/health"), "the default servlet serves files");
        assertFalse(ConsulServletInitializer.matches("", "/consul/health"), "the context root");
        assertFalse(ConsulServletInitializer.matches("/status/*", "/statusx"));
        assertFalse(ConsulServletInitializer.matches("/health", "/health/deep"));
    }

    @Test
    void addressesAndDefaultServiceIds() {
        assertEquals("web1.example.com", Addresses.idPart("web1.example.com"));
        assertEquals("fd00--7", Addresses.idPart("fd00::7"));
        assertTrue(Addresses.agentsOnLoopback("127.0.0.1:8500,http://localhost:8501,https://[::1]:8501"));
        assertFalse(Addresses.agentsOnLoopback("127.0.0.1:8500,consul.local:8500"));
        assertEquals("", Addresses.advertised("127.0.0.1:8500", "0.0.0.0"),
                "bound everywhere, one agent per node: Consul advertises the node's address");
        assertEquals("", Addresses.advertised("127.0.0.1:8500", ""));
        assertEquals("10.0.0.7", Addresses.advertised("127.0.0.1:8500", "10.0.0.7"),
                "bound to one address: that one, where the agent's probe and the callers can reach it");
        assertEquals("10.0.0.7", Addresses.advertised("consul.local:8500", "10.0.0.7"));
        assertEquals("fd00::7", Addresses.advertised("consul.local:8500", "[fd00::7]"));
        assertEquals("127.0.0.1", Addresses.advertised("127.0.0.1:8500", "127.0.0.1"),
                "bound to loopback only: advertised as it is");
    }
}
