package io.github.consulservlet.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * Core's three layers, read from its compiled classes: the public API servlets code against
 * ({@code io.github.consulservlet}), the {@code spi} container adapters implement, and the
 * internals ({@code io.github.consulservlet.internal...}). The public API uses neither of the
 * others; the SPI's public signatures name no internal type; there is no fourth kind of package.
 */
class LayersArchitectureTest {
    private static final String API = "io.github.consulservlet.";
    private static final String SPI = "io.github.consulservlet.spi.";
    private static final String INTERNAL = "io.github.consulservlet.internal.";
    private static final ClassDependencies CORE = ClassDependencies.of(Path.of("target", "classes"));

    @Test
    void thePublicApiDependsOnNoInternalPackageNorTheSpi() {
        List<String> edges = new ArrayList<>();
        for (String edge : CORE.edges(API, List.of(SPI, INTERNAL))) {
            if (isApi(edge.substring(0, edge.indexOf(' ')))) {
                edges.add(edge);
            }
        }
        assertEquals(List.of(), edges);
        assertTrue(!CORE.edges(INTERNAL, List.of(SPI)).isEmpty(), "the reader sees the internals use the SPI");
    }

    @Test
    void everyPackageOfCoreIsTheApiTheSpiOrInternal() {
        TreeSet<String> others = new TreeSet<>();
        for (String c : CORE.classes()) {
            if (!isApi(c) && !c.startsWith(SPI) && !c.startsWith(INTERNAL)) {
                others.add(ClassDependencies.packageOf(c));
            }
        }
        assertEquals(new TreeSet<>(), others);
        assertTrue(CORE.classes().stream().anyMatch(LayersArchitectureTest::isApi), CORE.classes().toString());
    }

    @Test
    void theSpiNamesNoInternalTypeInItsPublicSignatures() throws ClassNotFoundException {
        List<String> leaks = new ArrayList<>();
        for (String name : CORE.classes()) {
            if (!name.startsWith(SPI)) {
                continue;
            }
            Class<?> type = Class.forName(name);
            if (!Modifier.isPublic(type.getModifiers())) {
                continue;
            }
            for (Method m : type.getDeclaredMethods()) {
                check(leaks, m, m.getGenericReturnType());
            }
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                check(leaks, c, null);
            }
            for (Field f : type.getDeclaredFields()) {
                if (Modifier.isPublic(f.getModifiers()) && f.getGenericType().getTypeName().contains(INTERNAL)) {
                    leaks.add(f.toString());
                }
            }
        }
        assertEquals(List.of(), leaks);
    }

    /** A class of the public API: directly in {@code io.github.consulservlet}, not in a sub-package. */
    private static boolean isApi(String className) {
        return className.startsWith(API) && className.indexOf('.', API.length()) < 0;
    }

    private static void check(List<String> leaks, Executable e, Type returned) {
        if (!Modifier.isPublic(e.getModifiers()) && !Modifier.isProtected(e.getModifiers())) {
            return;
        }
        List<Type> types = new ArrayList<>(List.of(e.getGenericParameterTypes()));
        types.addAll(List.of(e.getGenericExceptionTypes()));
        if (returned != null) {
            types.add(returned);
        }
        for (Type t : types) {
            if (t.getTypeName().contains(INTERNAL)) {
                leaks.add(e.toGenericString());
            }
        }
    }
}
