package io.github.consulservlet.tomcat;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.catalina.core.StandardContext;
import org.apache.tomcat.JarScanFilter;
import org.apache.tomcat.JarScanType;
import org.junit.jupiter.api.Test;

class SkipOwnJarTest {

    @Test
    void theExtensionsJarIsSkippedForEveryScanAndTheContextsOwnFilterStillDecidesTheRest() {
        StandardContext context = new StandardContext();
        JarScanFilter contexts = (type, jar) -> !jar.equals("skipped-by-the-context.jar");
        context.getJarScanner().setJarScanFilter(contexts);

        SkipOwnJar.install(context, "consul-tomcat-valve-1.0.jar");
        JarScanFilter filter = context.getJarScanner().getJarScanFilter();
        for (JarScanType type : JarScanType.values()) {
            assertFalse(filter.check(type, "consul-tomcat-valve-1.0.jar"), type.name());
            assertTrue(filter.check(type, "webapp-library.jar"), type.name());
            assertFalse(filter.check(type, "skipped-by-the-context.jar"), type.name());
        }

        SkipOwnJar.install(context, "consul-tomcat-valve-1.0.jar");
        assertSame(filter, context.getJarScanner().getJarScanFilter(), "a reload does not wrap it again");
    }

    @Test
    void tomcatNamesTheJarAsItsUrlDoes() {
        StandardContext context = new StandardContext();
        SkipOwnJar.install(context, "consul valve.jar");
        assertFalse(context.getJarScanner().getJarScanFilter().check(JarScanType.PLUGGABILITY, "consul%20valve.jar"));
    }

    @Test
    void outsideAJarNothingChanges() {
        StandardContext context = new StandardContext();
        JarScanFilter before = context.getJarScanner().getJarScanFilter();
        SkipOwnJar.install(context, null);
        assertSame(before, context.getJarScanner().getJarScanFilter());
    }
}
