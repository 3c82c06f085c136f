package io.github.consulservlet.architecture;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

/**
 * The class-to-class dependencies of a folder of compiled classes, as the JDK's {@code jdeps}
 * reads them from the byte code (signatures, bodies, constants): what the architecture tests of
 * core and of each container adapter check their layering with.
 */
public final class ClassDependencies {
    private static final Pattern EDGE = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)\\s");

    private final Map<String, TreeSet<String>> byClass;

    private ClassDependencies(Map<String, TreeSet<String>> byClass) {
        this.byClass = byClass;
    }

    /** The dependencies of the classes under {@code classes}, a module's {@code target/classes}. */
    public static ClassDependencies of(Path classes) {
        if (!Files.isDirectory(classes)) {
            throw new IllegalStateException(classes + " is not a folder of compiled classes");
        }
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new IllegalStateException("this JDK has no jdeps"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:class", "-filter:none", classes.toString());
        if (status != 0) {
            throw new IllegalStateException("jdeps failed (" + status + "): " + err);
        }
        Map<String, TreeSet<String>> byClass = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (m.find()) {
                byClass.computeIfAbsent(m.group(1), c -> new TreeSet<>()).add(m.group(2));
            }
        }
        if (byClass.isEmpty()) {
            throw new IllegalStateException("jdeps found no classes under " + classes + ": " + out);
        }
        return new ClassDependencies(byClass);
    }

    /** The classes read. */
    public List<String> classes() {
        return List.copyOf(byClass.keySet());
    }

    /**
     * Each dependency of a class whose name starts with {@code from} on a class whose name starts
     * with one of {@code forbidden}, as {@code "A -> B"}.
     */
    public List<String> edges(String from, List<String> forbidden) {
        List<String> found = new ArrayList<>();
        byClass.forEach((source, targets) -> {
            if (source.startsWith(from)) {
                for (String target : targets) {
                    if (forbidden.stream().anyMatch(target::startsWith)) {
                        found.add(source + " -> " + target);
                    }
                }
            }
        });
        return found;
    }

    /**
     * What the classes of the package {@code adapterPackage} (such as {@code io.github.consulservlet.jetty.})
     * use of core's internals, as {@code "A -> B"}: nothing, for an adapter that only adapts.
     */
    public List<String> internalsUsedBy(String adapterPackage) {
        if (byClass.keySet().stream().noneMatch(c -> c.startsWith(adapterPackage))) {
            throw new IllegalStateException("no class of " + adapterPackage + " was read: " + byClass.keySet());
        }
        return edges(adapterPackage, List.of("io.github.consulservlet.internal."));
    }

    /** The package of a class name. */
    public static String packageOf(String className) {
        return className.substring(0, className.lastIndexOf('.'));
    }
}
