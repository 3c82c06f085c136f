package io.github.consulservlet.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * Proportionate settings errors: a misspelled key warns with the nearest setting, a derived name
 * is normalised as Spring Cloud Consul normalises one, and each warning names where its value came from.
 */
class SettingsWarningsTest {

    @Test
    void anUnknownKeyInWebXmlWarnsWithTheNearestSettingAndIsIgnored() {
        ConsulSettings settings = ConsulSettings.resolve("/shop", Map.of("consul.service.nmae", "billing"), Map.of(),
                k -> null, Map.of());
        assertEquals("shop", settings.serviceName());
        assertEquals(List.of("consul.service.nmae (context-param) is not a consul-servlet setting and is ignored; did you"
                + " mean consul.service.name?"), settings.warnings());
    }

    @Test
    void anUnknownContainerKeyNamesTheContainersOrigin() {
        ConsulSettings settings = ConsulSettings.resolve("/shop", Map.of(), Map.of("consul.check.intervall", "5s"),
                "Jetty property", k -> null, Map.of());
        assertEquals(List.of("consul.check.intervall (Jetty property) is not a consul-servlet setting and is ignored; did you"
                + " mean consul.check.interval?"), settings.warnings());
    }

    @Test
    void aKeyFarFromEverySettingPointsToTheDocsAndNoValueIsShown() {
        assertEquals(Optional.of("consul.something-else (Jetty property in start.d/consul.ini) is not a consul-servlet setting"
                + " and is ignored; expected one of the settings in docs/configuration.md"),
                UnknownSettings.warning("consul.something-else", "Jetty property in start.d/consul.ini"));
        assertEquals(Optional.empty(), UnknownSettings.warning("consul.agent", "Jetty property"));
        assertEquals(Optional.empty(), UnknownSettings.warning("jetty.http.port", "Jetty property"));
        assertFalse(UnknownSettings.warning("consul.tokne", "context-param").orElseThrow().contains("s3cr3t"));
    }

    @Test
    void derivedNamesAreMadeDnsLabelsAsSpringCloudConsulMakesThem() {
        assertEquals("my-app", CombinedSettings.dnsLabel("my_app"));
        assertEquals("a-b", CombinedSettings.dnsLabel("a__.b"), "one hyphen for each run");
        assertEquals("Shop-V2", CombinedSettings.dnsLabel("Shop~V2"), "letters keep their case, as Spring keeps them");
        assertEquals("app", CombinedSettings.dnsLabel("_app_"), "trimmed, where Spring would refuse");
        assertEquals("caf", CombinedSettings.dnsLabel("caf\u00e9"), "DNS letters are ASCII");
        assertEquals(63, CombinedSettings.dnsLabel("a".repeat(70)).length());
        assertEquals("", CombinedSettings.dnsLabel("__"));
    }

    @Test
    void theTokenWarningNamesWhereTheAgentCameFrom() {
        ConsulSettings settings = ConsulSettings.resolve("/shop", Map.of(), Map.of("consul.agent", "http://10.0.0.9:8500",
                "consul.token", "t"), "ConsulValve attribute", k -> null, Map.of());
        assertEquals(List.of("consul.agent 'http://10.0.0.9:8500' (ConsulValve attribute) sends the ACL token in clear text"
                + " to 10.0.0.9, which is not loopback; expected https:// for an agent on another host"), settings.warnings());
        ConsulSettings fromEnv = ConsulSettings.resolve("/shop", Map.of(), Map.of(), k -> null,
                Map.of("CONSUL_HTTP_ADDR", "10.0.0.9:8500", "CONSUL_HTTP_TOKEN", "t"));
        assertTrue(fromEnv.warnings().get(0).startsWith("consul.agent '10.0.0.9:8500' (environment variable CONSUL_HTTP_ADDR)"),
                fromEnv.warnings().toString());
    }

    @Test
    void failWebappOnErrorIsReadEvenWhenTheOtherSettingsCannotBe() {
        assertFalse(ConsulSettings.failsWebappOnError(Map.of("consul.service.port", "abc"), Map.of(), k -> null));
        assertTrue(ConsulSettings.failsWebappOnError(Map.of("consul.service.port", "abc", "consul.fail-webapp-on-error", "TRUE"),
                Map.of(), k -> null));
        assertTrue(ConsulSettings.failsWebappOnError(Map.of(), Map.of("consul.fail-webapp-on-error", "true"), k -> null));
        assertFalse(ConsulSettings.failsWebappOnError(Map.of("consul.fail-webapp-on-error", "false"),
                Map.of("consul.fail-webapp-on-error", "true"), k -> null), "the webapp's own wins");
        assertTrue(ConsulSettings.failsWebappOnError(Map.of(), Map.of(),
                k -> k.equals("consul.fail-webapp-on-error") ? "true" : null));
    }
}
