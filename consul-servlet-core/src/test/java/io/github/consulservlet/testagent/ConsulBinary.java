package io.github.consulservlet.testagent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The {@code consul} executable the real-agent tests run, found in this order: {@code -Dconsul.binary}
 * or {@code CONSUL_BINARY}; {@code consul} on the {@code PATH}; the one {@code consul-agent/build.sh}
 * built into the cache ({@code ~/.cache/consul-servlet/consul-<version>/consul}); else built now by
 * that script, when {@code go} is on the {@code PATH}. Looked up once per JVM.
 */
public final class ConsulBinary {
    /** The release the project builds and tests against: the newest MPL-2.0 one (see consul-agent/go.mod). */
    public static final String BUILT_VERSION = "1.14.11";

    private static final Object LOCK = new Object();
    private static Lookup lookup;

    private final Path path;
    private final String version;

    private ConsulBinary(Path path, String version) {
        this.path = path;
        this.version = version;
    }

    /** The executable. */
    public Path path() {
        return path;
    }

    /** What {@code consul version} printed first, such as {@code Consul v1.14.11}. */
    public String version() {
        return version;
    }

    /** The binary, or empty with {@link #whyMissing()} saying why. */
    public static Optional<ConsulBinary> find() {
        return lookup().binary;
    }

    /** Why {@link #find()} is empty; empty when a binary was found. */
    public static Optional<String> whyMissing() {
        return Optional.ofNullable(lookup().whyMissing);
    }

    private record Lookup(Optional<ConsulBinary> binary, String whyMissing) {
    }

    private static Lookup lookup() {
        synchronized (LOCK) {
            if (lookup == null) {
                lookup = search();
            }
            return lookup;
        }
    }

    private static Lookup search() {
        String named = System.getProperty("consul.binary", System.getenv("CONSUL_BINARY"));
        if (named != null && !named.isBlank()) {
            // named on purpose: a wrong name is an error, not a reason to look elsewhere
            return found(Path.of(named.trim()), "consul.binary / CONSUL_BINARY");
        }
        Optional<Path> onPath = onPath("consul");
        if (onPath.isPresent()) {
            return found(onPath.get(), "the PATH");
        }
        Path cached = cacheDirectory().resolve("consul-" + BUILT_VERSION).resolve("consul");
        if (Files.isExecutable(cached)) {
            return found(cached, "the cache");
        }
        if (onPath("go").isEmpty()) {
            return new Lookup(Optional.empty(), "no Consul binary: CONSUL_BINARY is not set, there is no consul on the PATH"
                    + " nor in " + cached + ", and no go on the PATH to build one with consul-agent/build.sh");
        }
        Optional<Path> script = buildScript();
        if (script.isEmpty()) {
            return new Lookup(Optional.empty(), "no Consul binary in " + cached
                    + ", and consul-agent/build.sh is not in this directory or any above it");
        }
        return build(script.get());
    }

    private static Lookup build(Path script) {
        try {
            Process build = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
            StringBuilder output = new StringBuilder();
            String last = null;
            try (var lines = build.inputReader(StandardCharsets.UTF_8)) {
                for (String line; (line = lines.readLine()) != null;) {
                    System.out.println(line); // the script says what it builds and how long it took
                    output.append(line).append('\n');
                    last = line;
                }
            }
            if (build.waitFor() != 0 || last == null) {
                return new Lookup(Optional.empty(), script + " failed (exit " + build.exitValue() + "):\n" + output);
            }
            return found(Path.of(last.substring(last.indexOf(": ") + 2)), script.toString()); // "Consul <version>: <path>", the path may hold spaces
        } catch (IOException e) {
            return new Lookup(Optional.empty(), "could not run " + script + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Lookup(Optional.empty(), "interrupted while building the Consul agent");
        }
    }

    private static Lookup found(Path path, String from) {
        if (!Files.isExecutable(path)) {
            return new Lookup(Optional.empty(), path + " (from " + from + ") is not an executable file");
        }
        try {
            Process version = new ProcessBuilder(path.toString(), "version").redirectErrorStream(true).start();
            String output = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!version.waitFor(30, TimeUnit.SECONDS) || version.exitValue() != 0 || !output.startsWith("Consul v")) {
                version.destroyForcibly();
                return new Lookup(Optional.empty(), path + " (from " + from + ") is not a Consul binary: 'consul version' printed "
                        + output);
            }
            return new Lookup(Optional.of(new ConsulBinary(path, output.lines().findFirst().orElseThrow())), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + path + " for its version", e);
        }
    }

    /** {@code $CONSUL_SERVLET_CACHE}, else {@code $XDG_CACHE_HOME/consul-servlet}, else {@code ~/.cache/consul-servlet}: as build.sh. */
    static Path cacheDirectory() {
        String own = System.getenv("CONSUL_SERVLET_CACHE");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("consul-servlet");
    }

    private static Optional<Path> onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return List.of(path.split(java.io.File.pathSeparator)).stream().filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, command)).filter(Files::isExecutable).findFirst();
    }

    /** {@code consul-agent/build.sh} of this checkout: from the working directory (a module's) upwards. */
    private static Optional<Path> buildScript() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path script = dir.resolve("consul-agent").resolve("build.sh");
            if (Files.isRegularFile(script)) {
                return Optional.of(script);
            }
        }
        return Optional.empty();
    }
}
