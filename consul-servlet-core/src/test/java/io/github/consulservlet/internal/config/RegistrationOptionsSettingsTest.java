package io.github.consulservlet.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The registration options' settings: what they accept, and the errors naming what they do not. */
class RegistrationOptionsSettingsTest {

    private static RegistrationOptions options(Map<String, String> params) {
        return ConsulSettings.resolve("/shop", params, Map.of(), key -> null, Map.of()).options();
    }

    private static String error(Map<String, String> params, Map<String, String> container) {
        return assertThrows(InvalidSettingsException.class,
                () -> ConsulSettings.resolve("/shop", params, container, key -> null, Map.of())).getMessage();
    }

    @Test
    void unsetOptionsLeaveConsulsDefaults() {
        RegistrationOptions none = options(Map.of());
        assertEquals(new RegistrationOptions(Optional.empty(), Map.of(), false, Optional.empty(), Map.of(), false,
                Optional.empty(), 0, 0, Optional.empty(), Optional.empty(), false, Optional.empty(), Optional.empty(),
                Optional.empty()), none);
    }

    @Test
    void everyOptionIsReadInItsForm() {
        RegistrationOptions o = options(Map.ofEntries(Map.entry("consul.service.weights", "warning=0"),
                Map.entry("consul.service.tagged-addresses", "lan=10.0.0.5, wan=[2001:db8::7]:443,lan_ipv6=fd00::1"),
                Map.entry("consul.service.enable-tag-override", "TRUE"), Map.entry("consul.check.method", "POST"),
                Map.entry("consul.check.header", "X-A=1, X-A=2,Authorization=Bearer t"),
                Map.entry("consul.check.tls-skip-verify", "true"), Map.entry("consul.check.tls-server-name", "shop.example.com"),
                Map.entry("consul.check.success-before-passing", "2"), Map.entry("consul.check.failures-before-critical", "5"),
                Map.entry("consul.check.notes", "see the runbook"), Map.entry("consul.check.extra.http-path", "/ready"),
                Map.entry("consul.check.extra.tcp", "true"), Map.entry("consul.check.extra.ttl", "1m"),
                Map.entry("consul.namespace", "team-a"), Map.entry("consul.partition", "finance")));
        assertEquals(Optional.of(new ServiceWeights(1, 0)), o.weights(), "a weight not given is 1");
        assertEquals(Map.of("lan", new TaggedAddress("10.0.0.5", 0), "wan", new TaggedAddress("2001:db8::7", 443),
                "lan_ipv6", new TaggedAddress("fd00::1", 0)), o.taggedAddresses());
        assertEquals(Map.of("X-A", List.of("1", "2"), "Authorization", List.of("Bearer t")), o.checkHeader());
        assertEquals(List.of(true, Optional.of("POST"), true, Optional.of("shop.example.com"), 2, 5, Optional.of("see the runbook"),
                Optional.of("/ready"), true, Optional.of(Duration.ofMinutes(1)), Optional.of("team-a"), Optional.of("finance")),
                List.of(o.enableTagOverride(), o.checkMethod(), o.tlsSkipVerify(), o.tlsServerName(), o.successBeforePassing(),
                        o.failuresBeforeCritical(), o.notes(), o.extraHttpPath(), o.extraTcp(), o.extraTtl(), o.namespace(),
                        o.partition()));
    }

    @Test
    void aBadValueNamesTheSettingTheValueWhereItCameFromAndTheAcceptedForm() {
        assertEquals("consul.service.weights 'passing=0' (context-param) has a passing weight out of range; expected"
                + " passing=<1 to 65535>,warning=<0 to 65535>, either or both, such as passing=10,warning=1",
                error(Map.of("consul.service.weights", "passing=0"), Map.of()));
        assertEquals("consul.service.tagged-addresses 'dmz=10.0.0.5' (container setting) has the unknown tag 'dmz'; expected"
                + " tag=address[:port] pairs separated by commas, the tag one of lan, wan, lan_ipv4, lan_ipv6, wan_ipv4 or"
                + " wan_ipv6, IPv6 addresses in brackets when a port follows, such as lan=10.0.0.5:8080,wan=203.0.113.7:80"
                + " (no port: the service's)", error(Map.of(), Map.of("consul.service.tagged-addresses", "dmz=10.0.0.5")));
        assertEquals("consul.check.method 'get' (context-param) is not an HTTP method; expected an HTTP method in upper case,"
                + " such as GET, HEAD or POST", error(Map.of("consul.check.method", "get"), Map.of()));
        assertEquals("consul.check.header 'X Probe=1' (context-param) is not a list of headers; expected Header=value pairs"
                + " separated by commas, a header named twice sending both values, such as Authorization=Bearer"
                + " s3cr3t,X-Probe=consul (values without commas)", error(Map.of("consul.check.header", "X Probe=1"), Map.of()));
        assertEquals("consul.check.failures-before-critical '-1' (context-param) is out of range; expected a whole number"
                + " from 0 to 100", error(Map.of("consul.check.failures-before-critical", "-1"), Map.of()));
        assertEquals("consul.namespace 'team_a' (context-param) is not a namespace name; expected a namespace name: 1 to 63"
                + " letters, digits and hyphens, not starting or ending with a hyphen, such as team-a",
                error(Map.of("consul.namespace", "team_a"), Map.of()));
        assertEquals("consul.check.extra.ttl '0s' (context-param) is too short; expected a duration of 1s or more: a number"
                + " with a unit, such as 500ms, 10s or 1m30s", error(Map.of("consul.check.extra.ttl", "0s"), Map.of()));
    }
}
