package io.github.consulservlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

import jakarta.servlet.ServletContext;
import org.junit.jupiter.api.Test;

import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.ScopedConsulContext;

class ConsulContextTest {

    /** A servlet context that holds attributes and knows its path; nothing else is called. */
    private static ServletContext servletContext(String path, Map<String, Object> attributes) {
        return (ServletContext) Proxy.newProxyInstance(ServletContext.class.getClassLoader(),
                new Class<?>[] {ServletContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "getContextPath" -> path;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void ofFindsTheContextPublishedForTheWebapp() {
        try (ConsulClient client = ConsulClient.builder().build(); ScopedConsulContext context = client.newContext()) {
            Map<String, Object> attributes = new HashMap<>();
            attributes.put("io.github.consulservlet.ConsulContext", context);

            assertSame(context, ConsulContext.of(servletContext("/shop", attributes)));
        }
    }

    @Test
    void ofExplainsWhyThereIsNone() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ConsulContext.of(servletContext("/shop", Map.of())));

        assertEquals("no ConsulContext in servlet context attribute io.github.consulservlet.ConsulContext of"
                + " '/shop': is consul-servlet installed in the container and consul.enabled not false?", e.getMessage());
    }
}
