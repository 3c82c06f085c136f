package io.github.consulservlet.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.architecture.ClassDependencies;

/** The adapter only adapts: its classes use core's public API and its SPI, never core's internals. */
class AdapterLayersTest {

    @Test
    void theAdapterUsesNoInternalPackageOfCore() {
        assertEquals(List.of(), ClassDependencies.of(Path.of("target", "classes")).internalsUsedBy("io.github.consulservlet.jetty."));
    }
}
