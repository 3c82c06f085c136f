package io.github.consulservlet.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The container's choice of webapps: globs over context paths, exclusion winning. */
class WebappSelectionTest {

    private static ConsulSettings resolve(String contextPath, Map<String, String> container) {
        return ConsulSettings.resolve(contextPath, Map.of(), container, "ConsulValve attribute", k -> null, Map.of());
    }

    @Test
    void aStarStaysInOneSegmentADoubleStarCrossesThem() {
        assertTrue(WebappSelection.matches("/manager", "/manager"));
        assertFalse(WebappSelection.matches("/manager", "/manager2"));
        assertTrue(WebappSelection.matches("/shop-*", "/shop-v2"));
        assertFalse(WebappSelection.matches("/shop-*", "/shop-v2/admin"));
        assertTrue(WebappSelection.matches("/shop/**", "/shop/v2/admin"));
        assertTrue(WebappSelection.matches("/v?", "/v2"));
        assertFalse(WebappSelection.matches("/v?", "/v22"));
        assertTrue(WebappSelection.matches("/a.b", "/a.b"));
        assertFalse(WebappSelection.matches("/a.b", "/axb"), "a dot is a dot, not any character");
    }

    @Test
    void theRootWebappIsWrittenSlash() {
        assertEquals(Optional.of("matches consul.webapps.exclude '/'"), WebappSelection.leftOut("", List.of(), List.of("/")));
        assertEquals(Optional.empty(), WebappSelection.leftOut("/shop", List.of(), List.of("/")));
    }

    @Test
    void byDefaultEveryWebappIsRegistered() {
        assertTrue(resolve("/manager", Map.of()).enabled());
        assertTrue(resolve("", Map.of()).enabled());
    }

    @Test
    void tomcatsOwnWebappsAreLeftOutAndTheOthersKept() {
        Map<String, String> container = Map.of("consul.webapps.exclude", "/manager, /host-manager,/docs,/examples");
        for (String bundled : List.of("/manager", "/host-manager", "/docs", "/examples")) {
            ConsulSettings settings = resolve(bundled, container);
            assertFalse(settings.enabled(), bundled);
            assertEquals(Optional.of("matches consul.webapps.exclude '" + bundled + "'"), settings.leftOutByContainer());
        }
        assertTrue(resolve("/shop", container).enabled());
        assertTrue(resolve("", container).enabled());
    }

    @Test
    void anIncludeListKeepsOnlyItsWebappsAndExclusionWins() {
        Map<String, String> container = Map.of("consul.webapps.include", "/shop/**,/billing",
                "consul.webapps.exclude", "/shop/internal");
        assertTrue(resolve("/billing", container).enabled());
        assertTrue(resolve("/shop/v2", container).enabled());
        assertEquals(Optional.of("matches consul.webapps.exclude '/shop/internal'"),
                resolve("/shop/internal", container).leftOutByContainer());
        assertEquals(Optional.of("matches none of consul.webapps.include '/shop/**,/billing'"),
                resolve("/docs", container).leftOutByContainer());
    }

    @Test
    void aLeftOutWebappsOtherSettingsAreNotRead() {
        ConsulSettings settings = ConsulSettings.resolve("/docs", Map.of("consul.service.port", "abc"),
                Map.of("consul.webapps.exclude", "/docs"), "Jetty property", k -> null, Map.of());
        assertFalse(settings.enabled());
    }

    @Test
    void aGlobWithoutItsSlashIsRefusedNamingWhereItCameFrom() {
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class,
                () -> resolve("/shop", Map.of("consul.webapps.exclude", "/docs,manager")));
        assertEquals("consul.webapps.exclude '/docs,manager' (ConsulValve attribute) has 'manager', which does not start with /;"
                + " expected context-path globs separated by commas, each starting with /, such as"
                + " /manager,/host-manager,/docs,/examples or /shop-*", e.getMessage());
        assertEquals("consul.webapps.include '/a,,/b' (Jetty property) has an empty glob; expected context-path globs separated"
                + " by commas, each starting with /, such as /manager,/host-manager,/docs,/examples or /shop-*",
                assertThrows(InvalidSettingsException.class, () -> ConsulSettings.resolve("/shop", Map.of(),
                        Map.of("consul.webapps.include", "/a,,/b"), "Jetty property", k -> null, Map.of())).getMessage());
    }
}
