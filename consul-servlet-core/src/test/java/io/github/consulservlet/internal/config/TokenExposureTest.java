package io.github.consulservlet.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * A token sent in clear text to another host, or over unchecked TLS, or a token that is a file's
 * path is warned about, naming the setting and where it came from, never the token.
 */
class TokenExposureTest {
    private static List<String> warnings(Map<String, String> params, Map<String, String> env) {
        return ConsulSettings.resolve("/shop", params, Map.of(), key -> null, env).warnings();
    }

    @Test
    void plainHttpToAnotherHostWithATokenIsWarnedAbout() {
        assertEquals(List.of("consul.agent '10.0.0.5:8500' (environment variable CONSUL_HTTP_ADDR) sends the ACL token in"
                + " clear text to 10.0.0.5, which is not loopback; expected https:// for an agent on another host"),
                warnings(Map.of(), Map.of("CONSUL_HTTP_ADDR", "10.0.0.5:8500", "CONSUL_HTTP_TOKEN", "env-secret")));
        assertEquals(List.of(), warnings(Map.of("consul.agent", "http://consul.local:8500"), Map.of()), "no token, nothing sent");
        assertEquals(List.of(), warnings(Map.of("consul.agent", "http://localhost:8500,127.0.0.2:8500,[::1]:8500",
                "consul.token", "own"), Map.of()));
        assertEquals(List.of(), warnings(Map.of("consul.agent", "https://consul.local:8501", "consul.token", "own"), Map.of()));
    }

    @Test
    void unverifiedTlsWithATokenIsWarnedAbout() {
        assertEquals(List.of("consul.tls.verify 'false' (environment variable CONSUL_HTTP_SSL_VERIFY) sends the ACL token"
                + " to an agent whose certificate is not checked; expected true outside tests"),
                warnings(Map.of(), Map.of("CONSUL_HTTP_SSL_VERIFY", "false", "CONSUL_HTTP_TOKEN", "env-secret")));
        assertTrue(warnings(Map.of("consul.tls.verify", "false", "consul.token", "own"), Map.of()).get(0)
                .startsWith("consul.tls.verify 'false' (context-param)"));
    }

    @Test
    void aTokenThatLooksLikeAPathIsWarnedAbout() {
        for (String path : List.of("/etc/consul/token", "./token", "~/consul.token", "C:\\consul\\token")) {
            assertEquals(List.of("consul.token (context-param) looks like a file path, and is sent as the token itself;"
                    + " expected the token, or consul.token-file to read it from that file (the value is not shown)"),
                    warnings(Map.of("consul.token", path), Map.of()), path);
        }
        assertEquals(List.of(), warnings(Map.of("consul.token", "6b1a2f0e-5d0c-4a5e-9c1e-3f1b2a4c5d6e"), Map.of()));
    }
}
