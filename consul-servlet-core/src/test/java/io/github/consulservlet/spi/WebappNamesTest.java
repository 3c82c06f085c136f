package io.github.consulservlet.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WebappNamesTest {

    @Test
    void theRootContextIsEmptyInTheServletApiAndSlashInLogLines() {
        assertEquals("", WebappNames.servletContextPath("/"));
        assertEquals("", WebappNames.servletContextPath(""));
        assertEquals("", WebappNames.servletContextPath(null));
        assertEquals("/", WebappNames.displayName(""));
        assertEquals("/", WebappNames.displayName(null));
    }

    @Test
    void anyOtherContextKeepsItsPath() {
        assertEquals("/shop", WebappNames.servletContextPath("/shop"));
        assertEquals("/shop/admin", WebappNames.displayName("/shop/admin"));
    }
}
