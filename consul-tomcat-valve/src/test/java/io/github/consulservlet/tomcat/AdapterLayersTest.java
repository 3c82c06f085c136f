package io.github.consulservlet.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.architecture.ClassDependencies;

/** The adapter only adapts: its classes use core's public API and its SPI, never core's internals. */
class AdapterLayersTest {

    @Test
    void theAdapterUsesNoInternalPackageOfCore() {
        ClassDependencies adapter = ClassDependencies.of(Path.of("target", "classes"));
        assertTrue(adapter.classes().stream().anyMatch(c -> c.startsWith("io.github.consulservlet.tomcat.")), adapter.classes().toString());
        assertEquals(List.of(), adapter.edges("io.github.consulservlet.tomcat.", List.of("io.github.consulservlet.internal.")));
    }
}
