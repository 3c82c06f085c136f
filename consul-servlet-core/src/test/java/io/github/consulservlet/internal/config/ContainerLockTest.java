package io.github.consulservlet.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * The container-locked mode: a webapp cannot send the container's requests, token or TLS
 * elsewhere, and the container's (or the JVM's) token never goes to an agent a webapp names.
 */
class ContainerLockTest {
    private static final Map<String, String> CONTAINER = Map.of("consul.agent", "http://127.0.0.1:8500",
            "consul.token", "container-secret");

    private static ConsulSettings resolve(Map<String, String> params, Map<String, String> container) {
        return ConsulSettings.resolve("/shop", params, container, key -> null, Map.of());
    }

    private static String error(Map<String, String> params, Map<String, String> container) {
        String message = assertThrows(InvalidSettingsException.class, () -> resolve(params, container)).getMessage();
        assertFalse(message.contains("secret"), message);
        return message;
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> map = new HashMap<>(base);
        map.put(key, value);
        return map;
    }

    @Test
    void aWebappCannotRedirectTheContainersAgent() {
        assertEquals("consul.agent 'http://10.9.9.9:8500' (context-param) cannot be set by a webapp: the container"
                + " configures its webapps' agent or token and keeps consul.agent for itself; expected no such context-param,"
                + " or consul.agent in the container setting consul.webapp-overrides",
                error(Map.of("consul.agent", "http://10.9.9.9:8500"), CONTAINER));
    }

    @Test
    void aWebappsTokenFileIsNotEvenReadWhenLocked() {
        String message = error(Map.of("consul.token-file", "/no/such/file"), CONTAINER);
        assertTrue(message.startsWith("consul.token-file '/no/such/file' (context-param) cannot be set by a webapp"), message);
        assertFalse(message.contains("does not exist"), "the path was looked at: " + message);
        assertTrue(error(Map.of("consul.token-file", "/etc/hostname"), Map.of("consul.token", "container-secret"))
                .startsWith("consul.token-file '/etc/hostname' (context-param) cannot be set by a webapp"));
    }

    @Test
    void aWebappCannotSwitchTlsWhenLocked() {
        for (String setting : List.of("consul.tls.verify", "consul.tls.ca-file", "consul.tls.client-cert", "consul.tls.client-key")) {
            assertTrue(error(Map.of(setting, "false"), Map.of("consul.token", "container-secret"))
                    .startsWith(setting + " 'false' (context-param) cannot be set by a webapp"), setting);
        }
        assertEquals("consul.token (context-param) cannot be set by a webapp: the container configures its webapps' agent"
                + " or token and keeps consul.token for itself; expected no such context-param, or consul.token in the"
                + " container setting consul.webapp-overrides", error(Map.of("consul.token", "webapp-secret"), CONTAINER));
    }

    @Test
    void aWebappAllowedItsOwnAgentMustBringItsOwnToken() {
        Map<String, String> container = with(CONTAINER, "consul.webapp-overrides", "consul.agent");
        assertEquals("consul.agent 'http://127.0.0.2:8500' (context-param) is the webapp's own agent, and consul.token"
                + " (container setting) is only sent to the agents set there; expected the webapp's own consul.token or"
                + " consul.token-file context-param (an empty consul.token for none)",
                error(Map.of("consul.agent", "http://127.0.0.2:8500"), container));
        ConsulSettings own = resolve(Map.of("consul.agent", "http://127.0.0.2:8500", "consul.token", "its-own"), container);
        assertEquals(Optional.of("its-own"), own.token());
        assertEquals("http://127.0.0.2:8500", own.agents());
        assertEquals(Optional.empty(), resolve(Map.of("consul.agent", "http://127.0.0.2:8500", "consul.token", ""), container).token());
    }

    @Test
    void theJvmsTokenIsNotSentToAWebappsAgentEither() {
        String message = assertThrows(InvalidSettingsException.class, () -> ConsulSettings.resolve("/shop",
                Map.of("consul.agent", "127.0.0.2:8500"), Map.of(), key -> null, Map.of("CONSUL_HTTP_TOKEN", "env-secret")))
                .getMessage();
        assertTrue(message.contains("consul.token (environment variable CONSUL_HTTP_TOKEN) is only sent to the agents set there"), message);
        assertEquals(Optional.of("env-secret"), ConsulSettings.resolve("/shop", Map.of(), Map.of(), key -> null,
                Map.of("CONSUL_HTTP_TOKEN", "env-secret")).token(), "the JVM's agent gets the JVM's token");
    }

    @Test
    void withoutContainerAgentOrTokenNothingIsLocked() {
        ConsulSettings s = resolve(Map.of("consul.agent", "127.0.0.2:8500", "consul.tls.verify", "false"), Map.of("consul.check.mode", "ttl"));
        assertFalse(s.containerLocked());
        assertEquals("127.0.0.2:8500", s.agents());
        assertTrue(resolve(Map.of(), CONTAINER).containerLocked());
    }

    @Test
    void theContainerListsWhatWebappsMayOverride() {
        ConsulSettings all = resolve(Map.of("consul.agent", "127.0.0.2:8500", "consul.token", "its-own"),
                with(CONTAINER, "consul.webapp-overrides", "all"));
        assertFalse(all.containerLocked());
        assertEquals("127.0.0.2:8500", all.agents());
        ConsulSettings verify = resolve(Map.of("consul.tls.verify", "false"),
                with(CONTAINER, "consul.webapp-overrides", "consul.tls.verify, consul.tls.ca-file"));
        assertTrue(verify.containerLocked());
        assertFalse(verify.tls().verify());
        assertTrue(error(Map.of("consul.agent", "127.0.0.2:8500"), Map.of("consul.webapp-overrides", "none"))
                .startsWith("consul.agent '127.0.0.2:8500' (context-param) cannot be set by a webapp"));
    }

    @Test
    void aWrongOverrideListNamesTheSettingAndTheAcceptedOnes() {
        assertEquals("consul.webapp-overrides 'consul.agent,consul.drain' (container setting) names 'consul.drain', which is"
                + " not a setting a container keeps; expected none, all, or some of consul.agent, consul.token,"
                + " consul.token-file, consul.tls.ca-file, consul.tls.client-cert, consul.tls.client-key, consul.tls.verify,"
                + " comma-separated", error(Map.of(), with(CONTAINER, "consul.webapp-overrides", "consul.agent,consul.drain")));
    }

    @Test
    void aDisabledWebappIsNotCheckedAgainstTheLock() {
        assertFalse(resolve(Map.of("consul.enabled", "false", "consul.agent", "10.9.9.9:8500"), CONTAINER).enabled());
    }
}
