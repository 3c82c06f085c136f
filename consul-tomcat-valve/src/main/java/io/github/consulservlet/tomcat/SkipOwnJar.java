package io.github.consulservlet.tomcat;

import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.CodeSource;

import org.apache.catalina.Context;
import org.apache.tomcat.JarScanFilter;
import org.apache.tomcat.JarScanType;
import org.apache.tomcat.JarScanner;

/**
 * Keeps this extension's jar out of a webapp's jar scans (TLDs, web fragments, annotations).
 * Tomcat's own jars are skipped by {@code jarsToSkip} in {@code catalina.properties}; ours, in
 * {@code $CATALINA_BASE/lib}, would otherwise have every class of the shaded HTTP client parsed
 * for {@code @HandlesTypes} at each webapp's deploy (about 60 ms a webapp on 2 cores). The
 * initializer is still found: Tomcat reads container initializers through the class loader,
 * not through the scan. Wraps whatever filter the context has, so its own settings still apply.
 */
final class SkipOwnJar implements JarScanFilter {
    private static final String OWN_JAR = ownJar();

    private final JarScanFilter delegate;
    private final String ownJar;

    private SkipOwnJar(JarScanFilter delegate, String ownJar) {
        this.delegate = delegate;
        this.ownJar = ownJar;
    }

    /** Before the context's configuration scans it: at its {@code before_start}. Idempotent. */
    static void install(Context context) {
        install(context, OWN_JAR);
    }

    static void install(Context context, String ownJar) {
        JarScanner scanner = context.getJarScanner();
        JarScanFilter filter = scanner == null ? null : scanner.getJarScanFilter();
        if (ownJar != null && filter != null && !(filter instanceof SkipOwnJar)) {
            scanner.setJarScanFilter(new SkipOwnJar(filter, ownJar));
        }
    }

    /** {@code jarName} is the last segment of the jar's URL, so percent-encoded. */
    @Override
    public boolean check(JarScanType type, String jarName) {
        return !ownJar.equals(URLDecoder.decode(jarName, StandardCharsets.UTF_8)) && delegate.check(type, jarName);
    }

    @Override
    public boolean isSkipAll() {
        return delegate.isSkipAll();
    }

    /** The file name of the jar this class came from, or null when it is not in a jar. */
    private static String ownJar() {
        CodeSource source = SkipOwnJar.class.getProtectionDomain().getCodeSource();
        try {
            String name = source == null ? null : Path.of(source.getLocation().toURI()).getFileName().toString();
            return name != null && name.endsWith(".jar") ? name : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
