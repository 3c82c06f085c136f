package io.github.consulservlet.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.github.consulservlet.ConsistencyMode;
import io.github.consulservlet.internal.config.ConsulSettings.CheckMode;

class ConsulSettingsTest {
    @TempDir
    static Path files;

    private static ConsulSettings resolve(Map<String, String> params) {
        return ConsulSettings.resolve("/shop", params, Map.of(), key -> null, Map.of());
    }

    private static String error(Map<String, String> params) {
        return assertThrows(InvalidSettingsException.class, () -> resolve(params)).getMessage();
    }

    /** Each setting with a value it accepts, and what that value resolves to. */
    static Stream<Arguments> validValues() {
        return Stream.of(
                Arguments.of("consul.enabled", "FALSE", (Function<ConsulSettings, Object>) ConsulSettings::enabled, false),
                Arguments.of("consul.agent", "127.0.0.1:8500,https://consul.local:8501", f(ConsulSettings::agents), "127.0.0.1:8500,https://consul.local:8501"),
                Arguments.of("consul.token", "s3cr3t", f(ConsulSettings::token), Optional.of("s3cr3t")),
                Arguments.of("consul.consistency-mode", "stale", f(ConsulSettings::consistencyMode), ConsistencyMode.STALE),
                Arguments.of("consul.consistency-mode", "CONSISTENT", f(ConsulSettings::consistencyMode), ConsistencyMode.CONSISTENT),
                Arguments.of("consul.datacenter", "eu-west_1", f(ConsulSettings::datacenter), Optional.of("eu-west_1")),
                Arguments.of("consul.service.name", "billing-api", f(ConsulSettings::serviceName), "billing-api"),
                Arguments.of("consul.service.id", "billing-web1-8080", f(ConsulSettings::serviceId), Optional.of("billing-web1-8080")),
                Arguments.of("consul.service.tags", "v2, blue ,canary", f(ConsulSettings::tags), List.of("v2", "blue", "canary")),
                Arguments.of("consul.service.meta", "team=shop, tier = web,empty=", f(ConsulSettings::meta), Map.of("team", "shop", "tier", "web", "empty", "")),
                Arguments.of("consul.service.address", "10.0.0.7", f(ConsulSettings::serviceAddress), Optional.of("10.0.0.7")),
                Arguments.of("consul.service.address", "", f(ConsulSettings::serviceAddress), Optional.of("")),
                Arguments.of("consul.service.address", "[fd00::7]", f(ConsulSettings::serviceAddress), Optional.of("fd00::7")),
                Arguments.of("consul.service.address", "web1.example.com", f(ConsulSettings::serviceAddress), Optional.of("web1.example.com")),
                Arguments.of("consul.service.port", "8080", f(ConsulSettings::servicePort), OptionalInt.of(8080)),
                Arguments.of("consul.client.max-response-size", "512KiB", f(ConsulSettings::maxResponseSize), 524288L),
                Arguments.of("consul.client.max-watch-response-size", "100MiB", f(ConsulSettings::maxWatchResponseSize), 104857600L),
                Arguments.of("consul.client.strict-answers", "true", f(ConsulSettings::strictAnswers), true),
                Arguments.of("consul.client.max-response-size", "65536", f(ConsulSettings::maxResponseSize), 65536L),
                Arguments.of("consul.check.mode", "ttl", f(ConsulSettings::checkMode), CheckMode.TTL),
                Arguments.of("consul.check.mode", "none", f(ConsulSettings::checkMode), CheckMode.NONE),
                Arguments.of("consul.check.path", "/healthz", f(ConsulSettings::checkPath), "/healthz"),
                Arguments.of("consul.check.path", "/status/live%20ness;v=1", f(ConsulSettings::checkPath), "/status/live%20ness;v=1"),
                Arguments.of("consul.check.interval", "1m30s", f(ConsulSettings::checkInterval), Duration.ofSeconds(90)),
                Arguments.of("consul.check.timeout", "500ms", f(ConsulSettings::checkTimeout), Duration.ofMillis(500)),
                Arguments.of("consul.check.ttl", "15s", f(ConsulSettings::checkTtl), Duration.ofSeconds(15)),
                Arguments.of("consul.check.deregister-after", "90m", f(ConsulSettings::deregisterAfter), Optional.of(Duration.ofMinutes(90))),
                Arguments.of("consul.check.deregister-after", "off", f(ConsulSettings::deregisterAfter), Optional.empty()),
                Arguments.of("consul.check.initial-status", "passing", f(ConsulSettings::initialStatus), ConsulSettings.InitialStatus.PASSING),
                Arguments.of("consul.check.initial-status", "Warning", f(ConsulSettings::initialStatus), ConsulSettings.InitialStatus.WARNING),
                Arguments.of("consul.drain", "0", f(ConsulSettings::drain), Duration.ZERO),
                Arguments.of("consul.drain", "2.5s", f(ConsulSettings::drain), Duration.ofMillis(2500)),
                Arguments.of("consul.service.weights", "passing=10,warning=1", f(s -> s.options().weights()), Optional.of(new ServiceWeights(10, 1))),
                Arguments.of("consul.service.tagged-addresses", "wan=203.0.113.7:80", f(s -> s.options().taggedAddresses()), Map.of("wan", new TaggedAddress("203.0.113.7", 80))),
                Arguments.of("consul.service.enable-tag-override", "true", f(s -> s.options().enableTagOverride()), true),
                Arguments.of("consul.check.method", "HEAD", f(s -> s.options().checkMethod()), Optional.of("HEAD")),
                Arguments.of("consul.check.header", "X-Probe=consul", f(s -> s.options().checkHeader()), Map.of("X-Probe", List.of("consul"))),
                Arguments.of("consul.check.tls-skip-verify", "true", f(s -> s.options().tlsSkipVerify()), true),
                Arguments.of("consul.check.tls-server-name", "shop.example.com", f(s -> s.options().tlsServerName()), Optional.of("shop.example.com")),
                Arguments.of("consul.check.success-before-passing", "3", f(s -> s.options().successBeforePassing()), 3),
                Arguments.of("consul.check.failures-before-critical", "3", f(s -> s.options().failuresBeforeCritical()), 3),
                Arguments.of("consul.check.notes", "see the runbook", f(s -> s.options().notes()), Optional.of("see the runbook")),
                Arguments.of("consul.check.extra.http-path", "/ready", f(s -> s.options().extraHttpPath()), Optional.of("/ready")),
                Arguments.of("consul.check.extra.tcp", "true", f(s -> s.options().extraTcp()), true),
                Arguments.of("consul.check.extra.ttl", "2m", f(s -> s.options().extraTtl()), Optional.of(Duration.ofMinutes(2))),
                Arguments.of("consul.namespace", "team-a", f(s -> s.options().namespace()), Optional.of("team-a")),
                Arguments.of("consul.partition", "finance", f(s -> s.options().partition()), Optional.of("finance")),
                Arguments.of("consul.tls.verify", "false", f(s -> s.tls().verify()), false));
    }

    private static Function<ConsulSettings, Object> f(Function<ConsulSettings, Object> getter) {
        return getter;
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("validValues")
    void acceptsValidValues(String setting, String value, Function<ConsulSettings, Object> getter, Object expected) {
        assertEquals(expected, getter.apply(resolve(Map.of(setting, value))));
    }

    /** Each setting with a value it refuses, and the exact one-line error. */
    static Stream<Arguments> invalidValues() {
        return Stream.of(
                Arguments.of("consul.service.weights", "heavy", "consul.service.weights 'heavy' (context-param) is not a list of weights; expected passing=<1 to 65535>,warning=<0 to 65535>, either or both, such as passing=10,warning=1"),
                Arguments.of("consul.service.tagged-addresses", "wan=a b", "consul.service.tagged-addresses 'wan=a b' (context-param) has an address that is not a host name or IP address; expected tag=address[:port] pairs separated by commas, the tag one of lan, wan, lan_ipv4, lan_ipv6, wan_ipv4 or wan_ipv6, IPv6 addresses in brackets when a port follows, such as lan=10.0.0.5:8080,wan=203.0.113.7:80 (no port: the service's)"),
                Arguments.of("consul.service.enable-tag-override", "on", "consul.service.enable-tag-override 'on' (context-param) is not a boolean; expected true or false"),
                Arguments.of("consul.check.method", "G ET", "consul.check.method 'G ET' (context-param) is not an HTTP method; expected an HTTP method in upper case, such as GET, HEAD or POST"),
                Arguments.of("consul.check.header", "X-Probe", "consul.check.header 'X-Probe' (context-param) is not a list of headers; expected Header=value pairs separated by commas, a header named twice sending both values, such as Authorization=Bearer s3cr3t,X-Probe=consul (values without commas)"),
                Arguments.of("consul.check.tls-skip-verify", "maybe", "consul.check.tls-skip-verify 'maybe' (context-param) is not a boolean; expected true or false"),
                Arguments.of("consul.check.tls-server-name", "-shop", "consul.check.tls-server-name '-shop' (context-param) is not a host name; expected a host name, such as shop.example.com"),
                Arguments.of("consul.check.success-before-passing", "many", "consul.check.success-before-passing 'many' (context-param) is out of range; expected a whole number from 0 to 100"),
                Arguments.of("consul.check.failures-before-critical", "101", "consul.check.failures-before-critical '101' (context-param) is out of range; expected a whole number from 0 to 100"),
                Arguments.of("consul.check.notes", "a\u0001b", "consul.check.notes 'a\u0001b' (context-param) is not one short line of text; expected one line of text of up to 1024 characters"),
                Arguments.of("consul.check.extra.http-path", "ready", "consul.check.extra.http-path 'ready' (context-param) is not a path; expected a path in the webapp starting with /, such as /ready"),
                Arguments.of("consul.check.extra.tcp", "yes", "consul.check.extra.tcp 'yes' (context-param) is not a boolean; expected true or false"),
                Arguments.of("consul.check.extra.ttl", "30", "consul.check.extra.ttl '30' (context-param) is not a duration; expected a duration of 1s or more: a number with a unit, such as 500ms, 10s or 1m30s"),
                Arguments.of("consul.namespace", "-a", "consul.namespace '-a' (context-param) is not a namespace name; expected a namespace name: 1 to 63 letters, digits and hyphens, not starting or ending with a hyphen, such as team-a"),
                Arguments.of("consul.partition", "a.b", "consul.partition 'a.b' (context-param) is not a partition name; expected a partition name: 1 to 63 letters, digits and hyphens, not starting or ending with a hyphen, such as team-a"),
                Arguments.of("consul.enabled", "yes", "consul.enabled 'yes' (context-param) is not a boolean; expected true or false"),
                Arguments.of("consul.agent", "http://127.0.0.1:8500/v1", "consul.agent 'http://127.0.0.1:8500/v1' (context-param) is not a list of agent"
                        + " addresses; expected host:port or http(s)://host:port, comma-separated for failover, such as 127.0.0.1:8500 or https://consul.local:8501"),
                Arguments.of("consul.agent", "ftp://consul:21", "consul.agent 'ftp://consul:21' (context-param) is not a list of agent"
                        + " addresses; expected host:port or http(s)://host:port, comma-separated for failover, such as 127.0.0.1:8500 or https://consul.local:8501"),
                Arguments.of("consul.token", "abc\ndef", "consul.token (context-param) contains a control character; expected the ACL token alone (the value is not shown)"),
                Arguments.of("consul.token-file", "/no/such/token", "consul.token-file '/no/such/token' (context-param) does not exist;"
                        + " expected a regular file of at most 4 KiB holding the ACL token alone"),
                Arguments.of("consul.webapp-overrides", "all", "consul.webapp-overrides 'all' (context-param) is the container's"
                        + " to set; expected it on the Tomcat ConsulValve (webappOverrides) or in Jetty's start.d/consul.ini, not in a webapp"),
                Arguments.of("consul.consistency-mode", "eventual", "consul.consistency-mode 'eventual' (context-param) is not a known mode; expected default, consistent or stale"),
                Arguments.of("consul.datacenter", "eu west", "consul.datacenter 'eu west' (context-param) is not a datacenter name; expected letters, digits, '-', '_' and '.', such as dc1"),
                Arguments.of("consul.service.name", "billing_api", "consul.service.name 'billing_api' (context-param) is not a DNS label; expected 1 to 63 letters,"
                        + " digits and hyphens, not starting or ending with a hyphen (set consul.service.name when the context path does not give one)"),
                Arguments.of("consul.service.name", "-billing", "consul.service.name '-billing' (context-param) is not a DNS label; expected 1 to 63 letters,"
                        + " digits and hyphens, not starting or ending with a hyphen (set consul.service.name when the context path does not give one)"),
                Arguments.of("consul.service.id", "shop/1", "consul.service.id 'shop/1' (context-param) is not a service ID; expected up to 256 letters, digits"
                        + " and '-', '_', '.', ':' or '@', such as shop-web1-8080"),
                Arguments.of("consul.service.tags", "v2,,blue", "consul.service.tags 'v2,,blue' (context-param) has an empty tag; expected tags separated by commas, such as v2,blue"),
                Arguments.of("consul.service.meta", "team:shop", "consul.service.meta 'team:shop' (context-param) is not a list of metadata; expected key=value pairs"
                        + " separated by commas, such as team=shop,tier=web (keys of up to 128 letters, digits, '-' and '_', not starting with consul-;"
                        + " values of up to 512 characters; at most 64 pairs)"),
                Arguments.of("consul.service.meta", "consul-version=1", "consul.service.meta 'consul-version=1' (context-param) is not a list of metadata; expected"
                        + " key=value pairs separated by commas, such as team=shop,tier=web (keys of up to 128 letters, digits, '-' and '_', not starting with"
                        + " consul-; values of up to 512 characters; at most 64 pairs)"),
                Arguments.of("consul.service.meta", "a=1,a=2", "consul.service.meta 'a=1,a=2' (context-param) is not a list of metadata; expected key=value pairs"
                        + " separated by commas, such as team=shop,tier=web (keys of up to 128 letters, digits, '-' and '_', not starting with consul-;"
                        + " values of up to 512 characters; at most 64 pairs)"),
                Arguments.of("consul.service.address", "http://10.0.0.7:80", "consul.service.address 'http://10.0.0.7:80' (context-param) is not a host name or IP address;"
                        + " expected a host name or IP address without scheme or port, or empty to let Consul advertise the node's address"),
                Arguments.of("consul.service.port", "abc", "consul.service.port 'abc' (context-param) is not a port; expected an integer from 1 to 65535"),
                Arguments.of("consul.service.port", "0", "consul.service.port '0' (context-param) is not a port; expected an integer from 1 to 65535"),
                Arguments.of("consul.service.port", "65536", "consul.service.port '65536' (context-param) is not a port; expected an integer from 1 to 65535"),
                Arguments.of("consul.check.mode", "tcp", "consul.check.mode 'tcp' (context-param) is not a known mode; expected http, ttl or none"),
                Arguments.of("consul.check.initial-status", "ok", "consul.check.initial-status 'ok' (context-param) is not a known status;"
                        + " expected critical, warning or passing"),
                Arguments.of("consul.check.path", "health", "consul.check.path 'health' (context-param) is not a path; expected a path in the webapp starting with /, such as /consul/health"),
                Arguments.of("consul.check.path", "/health?full", "consul.check.path '/health?full' (context-param) is not a path; expected a path in the webapp starting with /, such as /consul/health"),
                Arguments.of("consul.check.path", "/health/{x}", "consul.check.path '/health/{x}' (context-param) is not a path; expected a path in the webapp starting with /, such as /consul/health"),
                Arguments.of("consul.check.path", "/bad%zz", "consul.check.path '/bad%zz' (context-param) is not a path; expected a path in the webapp starting with /, such as /consul/health"),
                Arguments.of("consul.check.path", "/live/*", "consul.check.path '/live/*' (context-param) is not a path; expected a path in the webapp starting with /, such as /consul/health"),
                Arguments.of("consul.check.interval", "10", "consul.check.interval '10' (context-param) is not a duration; expected a duration of 1s or more:"
                        + " a number with a unit, such as 500ms, 10s or 1m30s"),
                Arguments.of("consul.check.interval", "500ms", "consul.check.interval '500ms' (context-param) is too short; expected a duration of 1s or more:"
                        + " a number with a unit, such as 500ms, 10s or 1m30s"),
                Arguments.of("consul.check.timeout", "0", "consul.check.timeout '0' (context-param) is too short; expected a duration of 1ms or more:"
                        + " a number with a unit, such as 500ms, 10s or 1m30s"),
                Arguments.of("consul.check.ttl", "-5s", "consul.check.ttl '-5s' (context-param) is not a duration; expected a duration of 1s or more:"
                        + " a number with a unit, such as 500ms, 10s or 1m30s"),
                Arguments.of("consul.check.deregister-after", "30s", "consul.check.deregister-after '30s' (context-param) is too short; expected off or a duration of 1m"
                        + " or more: a number with a unit, such as 500ms, 10s or 1m30s"),
                Arguments.of("consul.client.max-response-size", "8MB", "consul.client.max-response-size '8MB' (context-param) is not a size;"
                        + " expected bytes, KiB or MiB from 1KiB to 2047MiB, such as 8MiB or 524288"),
                Arguments.of("consul.client.max-watch-response-size", "4096MiB", "consul.client.max-watch-response-size '4096MiB' (context-param) is not a size;"
                        + " expected bytes, KiB or MiB from 1KiB to 2047MiB, such as 8MiB or 524288"),
                Arguments.of("consul.drain", "soon", "consul.drain 'soon' (context-param) is not a duration; expected a duration of 0 or more:"
                        + " a number with a unit, such as 500ms, 10s or 1m30s"),
                Arguments.of("consul.tls.ca-file", "/no/such/ca.pem", "consul.tls.ca-file '/no/such/ca.pem' (context-param) is not a readable file; expected the path of a PEM file"),
                Arguments.of("consul.tls.client-cert", "/no/such/cert.pem", "consul.tls.client-key is not set; expected the PEM key of consul.tls.client-cert"
                        + " '/no/such/cert.pem' (context-param)"),
                Arguments.of("consul.tls.client-key", "/no/such/key.pem", "consul.tls.client-cert is not set; expected the PEM certificate of consul.tls.client-key"
                        + " '/no/such/key.pem' (context-param)"),
                Arguments.of("consul.tls.verify", "no", "consul.tls.verify 'no' (context-param) is not a boolean; expected true or false"),
                Arguments.of("consul.client.strict-answers", "strict", "consul.client.strict-answers 'strict' (context-param) is not a boolean; expected true or false"),
                Arguments.of("consul.webapps.include", "/shop", "consul.webapps.include '/shop' (context-param) is the container's"
                        + " to set; expected it on the Tomcat ConsulValve (webappsInclude) or in Jetty's start.d/consul.ini, not in a webapp"),
                Arguments.of("consul.webapps.exclude", "/docs", "consul.webapps.exclude '/docs' (context-param) is the container's"
                        + " to set; expected it on the Tomcat ConsulValve (webappsExclude) or in Jetty's start.d/consul.ini, not in a webapp"),
                Arguments.of("consul.fail-webapp-on-error", "yes", "consul.fail-webapp-on-error 'yes' (context-param) is not a boolean;"
                        + " expected true or false"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("invalidValues")
    void refusesInvalidValuesNamingSettingValueAndAcceptedForm(String setting, String value, String message) {
        assertEquals(message, error(Map.of(setting, value)));
    }

    @Test
    void everySettingIsCoveredByBothTables() {
        for (Setting<?> setting : Setting.values()) {
            assertTrue(validValues().anyMatch(a -> a.get()[0].equals(setting.key)) || setting == Setting.TOKEN_FILE || setting == Setting.WEBAPP_OVERRIDES
                    || setting == Setting.TLS_CA_FILE || setting == Setting.TLS_CLIENT_CERT || setting == Setting.TLS_CLIENT_KEY
                    || setting == Setting.WEBAPPS_INCLUDE || setting == Setting.WEBAPPS_EXCLUDE // WebappSelectionTest
                    || setting == Setting.FAIL_WEBAPP_ON_ERROR, // SettingsWarningsTest
                    setting.key + " has no valid case");
            assertTrue(invalidValues().anyMatch(a -> a.get()[0].equals(setting.key)), setting.key + " has no invalid case");
        }
    }

    @Test
    void defaultsFollowTheDesignTable() {
        ConsulSettings s = resolve(Map.of());
        assertTrue(s.enabled());
        assertEquals("http://127.0.0.1:8500", s.agents());
        assertEquals(Optional.empty(), s.token());
        assertEquals(ConsistencyMode.DEFAULT, s.consistencyMode());
        assertEquals(Optional.empty(), s.datacenter());
        assertEquals("shop", s.serviceName());
        assertEquals(Optional.empty(), s.serviceId());
        assertEquals(List.of(), s.tags());
        assertEquals(Map.of(), s.meta());
        assertEquals(Optional.empty(), s.serviceAddress());
        assertEquals(OptionalInt.empty(), s.servicePort());
        assertEquals(CheckMode.HTTP, s.checkMode());
        assertEquals("/consul/health", s.checkPath());
        assertTrue(s.checkPathIsDefault());
        assertEquals(Duration.ofSeconds(10), s.checkInterval());
        assertEquals(Duration.ofSeconds(5), s.checkTimeout());
        assertEquals(Duration.ofSeconds(30), s.checkTtl());
        assertEquals(Optional.of(Duration.ofMinutes(10)), s.deregisterAfter());
        assertEquals(ConsulSettings.InitialStatus.CRITICAL, s.initialStatus());
        assertEquals(Duration.ofSeconds(5), s.drain());
        assertTrue(s.tls().verify());
        assertEquals(io.github.consulservlet.internal.client.ConsulClient.DEFAULT_MAX_RESPONSE_SIZE, s.maxResponseSize());
        assertEquals(io.github.consulservlet.internal.client.ConsulClient.DEFAULT_MAX_WATCH_RESPONSE_SIZE, s.maxWatchResponseSize());
        assertFalse(resolve(Map.of("consul.check.path", "/consul/health")).checkPathIsDefault());
    }

    @Test
    void serviceNameComesFromTheContextPath() {
        assertEquals("shop", ConsulSettings.resolve("/shop", Map.of(), Map.of(), k -> null, Map.of()).serviceName());
        assertEquals("shop-admin", ConsulSettings.resolve("/shop/admin", Map.of(), Map.of(), k -> null, Map.of()).serviceName());
        assertEquals("root", ConsulSettings.resolve("", Map.of(), Map.of(), k -> null, Map.of()).serviceName());
        ConsulSettings underscored = ConsulSettings.resolve("/my_app", Map.of(), Map.of(), k -> null, Map.of());
        assertEquals("my-app", underscored.serviceName());
        assertEquals(List.of("consul.service.name 'my_app' (derived from the context path '/my_app') is not a DNS label, and"
                + " is registered as 'my-app'; set consul.service.name to choose the name"), underscored.warnings());
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class,
                () -> ConsulSettings.resolve("/__", Map.of(), Map.of(), k -> null, Map.of()));
        assertEquals("consul.service.name '__' (derived from the context path '/__') is not a DNS label; expected 1 to 63"
                + " letters, digits and hyphens, not starting or ending with a hyphen (set consul.service.name when the context"
                + " path does not give one)", e.getMessage());
    }

    @Test
    void contextParamThenContainerThenSystemPropertyThenEnvironmentThenDefault() {
        Map<String, String> param = Map.of("consul.agent", "10.0.0.1:8500");
        // a container that sets the agent keeps it, unless it lets its webapps override it (ContainerLockTest)
        Map<String, String> container = Map.of("consul.agent", "10.0.0.2:8500", "consul.webapp-overrides", "consul.agent");
        Function<String, String> system = key -> key.equals("consul.agent") ? "10.0.0.3:8500" : null;
        Map<String, String> env = Map.of("CONSUL_HTTP_ADDR", "10.0.0.4:8500");
        assertEquals("10.0.0.1:8500", ConsulSettings.resolve("/a", param, container, system, env).agents());
        assertEquals("10.0.0.2:8500", ConsulSettings.resolve("/a", Map.of(), container, system, env).agents());
        assertEquals("10.0.0.3:8500", ConsulSettings.resolve("/a", Map.of(), Map.of(), system, env).agents());
        assertEquals("10.0.0.4:8500", ConsulSettings.resolve("/a", Map.of(), Map.of(), k -> null, env).agents());
        assertEquals("http://127.0.0.1:8500", ConsulSettings.resolve("/a", Map.of(), Map.of(), k -> null, Map.of()).agents());
    }

    @Test
    void errorsSayWhereTheValueCameFrom() {
        assertEquals("consul.service.port 'x' (container setting) is not a port; expected an integer from 1 to 65535",
                assertThrows(InvalidSettingsException.class, () -> ConsulSettings.resolve("/a", Map.of(),
                        Map.of("consul.service.port", "x"), k -> null, Map.of())).getMessage());
        assertEquals("consul.drain 'x' (system property) is not a duration; expected a duration of 0 or more: a number with a unit,"
                + " such as 500ms, 10s or 1m30s", assertThrows(InvalidSettingsException.class, () -> ConsulSettings.resolve("/a",
                        Map.of(), Map.of(), k -> k.equals("consul.drain") ? "x" : null, Map.of())).getMessage());
        assertEquals("consul.agent 'consul:port' (environment variable CONSUL_HTTP_ADDR) is not a list of agent addresses; expected"
                + " host:port or http(s)://host:port, comma-separated for failover, such as 127.0.0.1:8500 or https://consul.local:8501",
                assertThrows(InvalidSettingsException.class, () -> ConsulSettings.resolve("/a", Map.of(), Map.of(), k -> null,
                        Map.of("CONSUL_HTTP_ADDR", "consul:port"))).getMessage());
    }

    @Test
    void everyProblemIsReportedInOneLine() {
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class,
                () -> resolve(Map.of("consul.service.port", "abc", "consul.check.mode", "tcp")));
        assertEquals(2, e.problems().size());
        assertFalse(e.getMessage().contains("\n"));
        assertEquals(String.join("; ", e.problems()), e.getMessage());
    }

    @Test
    void disabledWebappsIgnoreTheirOtherSettings() {
        ConsulSettings s = resolve(Map.of("consul.enabled", "false", "consul.service.port", "abc"));
        assertFalse(s.enabled());
        assertEquals("ConsulSettings{enabled=false}", s.toString());
    }

    @Test
    void consulEnvironmentVariablesFillTheirSettings() throws IOException {
        Path token = Files.writeString(files.resolve("token"), "from-file\n");
        Path ca = Files.writeString(files.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        Map<String, String> env = new HashMap<>(Map.of("CONSUL_HTTP_ADDR", "consul.local:8501", "CONSUL_HTTP_SSL", "true",
                "CONSUL_HTTP_TOKEN_FILE", token.toString(), "CONSUL_CACERT", ca.toString(), "CONSUL_CLIENT_CERT", ca.toString(),
                "CONSUL_CLIENT_KEY", ca.toString(), "CONSUL_HTTP_SSL_VERIFY", "false"));
        ConsulSettings s = ConsulSettings.resolve("/a", Map.of(), Map.of(), k -> null, env);
        assertEquals("https://consul.local:8501", s.agents());
        assertEquals(Optional.of("from-file"), s.token());
        assertEquals(Optional.of(ca), s.tls().caFile());
        assertEquals(Optional.of(ca), s.tls().clientCertificate());
        assertEquals(Optional.of(ca), s.tls().clientKey());
        assertFalse(s.tls().verify());

        env.put("CONSUL_HTTP_TOKEN", "direct");
        assertEquals(Optional.of("direct"), ConsulSettings.resolve("/a", Map.of(), Map.of(), k -> null, env).token(),
                "at one level the token wins over the token file");
        assertEquals(Optional.of("from-file"), ConsulSettings.resolve("/a", Map.of("consul.token-file", token.toString()),
                Map.of(), k -> null, env).token(), "a webapp's token file wins over the environment's token");
        env.put("CONSUL_HTTP_SSL", "maybe");
        assertEquals("CONSUL_HTTP_SSL 'maybe' is not a boolean; expected true or false",
                assertThrows(InvalidSettingsException.class, () -> ConsulSettings.resolve("/a", Map.of(), Map.of(), k -> null, env)).getMessage());
        assertEquals("http://127.0.0.1:8500", ConsulSettings.resolve("/a", Map.of("consul.agent", "http://127.0.0.1:8500"),
                Map.of(), k -> null, Map.of("CONSUL_HTTP_SSL", "true")).agents(), "CONSUL_HTTP_SSL applies to CONSUL_HTTP_ADDR only");
        assertEquals("https://127.0.0.1:8500", ConsulSettings.resolve("/a", Map.of(), Map.of(), k -> null,
                Map.of("CONSUL_HTTP_SSL", "true")).agents(), "and to the default address, as Consul's CLI does");
    }

    @Test
    void theTokenIsNeverShown() throws IOException {
        Path twoLines = Files.writeString(files.resolve("two-lines"), "secret-one\nsecret-two\n");
        String message = error(Map.of("consul.token-file", twoLines.toString(), "consul.service.port", "x"));
        assertFalse(message.contains("secret"), message);
        assertTrue(message.startsWith("consul.token-file '" + twoLines + "' (context-param) holds more than one line;"), message);
        assertFalse(resolve(Map.of("consul.token", "secret-one")).toString().contains("secret"));
        assertFalse(error(Map.of("consul.token", "secret\u0007")).contains("secret"));
    }
}
