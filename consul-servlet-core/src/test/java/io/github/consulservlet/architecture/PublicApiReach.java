package io.github.consulservlet.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What webapp code can reach from a public type without reflection on private members: the
 * project's public types in its public signatures (methods, fields, supertypes, nested types),
 * and the public classes of the compiled classes that implement a reached type (a servlet may
 * cast what it is handed to its class). With the JDK only: reflection and a walk of the class
 * directory. Each violation says by which path the type was reached.
 */
final class PublicApiReach {
    static final String ROOT = "io.github.consulservlet.";
    private static final List<String> INTERNAL_PACKAGES = List.of(ROOT + "config", ROOT + "registration");
    private static final Pattern SECRET_GETTER = Pattern.compile("(?i).*(token|settings|secret|credential|adapter|binding).*");

    private final List<Class<?>> compiled;
    private final Map<Class<?>, String> reached = new LinkedHashMap<>();

    PublicApiReach(List<Class<?>> compiled) {
        this.compiled = compiled;
    }

    /** The classes compiled into the directory (or jar's directory) that holds {@code anchor}. */
    static List<Class<?>> compiledWith(Class<?> anchor) {
        try {
            Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            try (Stream<Path> files = Files.walk(root)) {
                List<Class<?>> classes = new ArrayList<>();
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    String name = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
                    name = name.substring(0, name.length() - ".class".length());
                    if (!name.endsWith("package-info") && !name.equals("module-info")) {
                        classes.add(Class.forName(name, false, anchor.getClassLoader()));
                    }
                }
                return classes;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every way from {@code seed} to container internals (settings, tokens, adapters), one line each. */
    List<String> violations(Class<?> seed) {
        reached.clear();
        Deque<Class<?>> work = new ArrayDeque<>();
        reach(seed, seed.getSimpleName(), reached, work);
        List<String> violations = new ArrayList<>();
        while (!work.isEmpty()) {
            Class<?> type = work.pop();
            String path = reached.get(type);
            if (INTERNAL_PACKAGES.contains(type.getPackageName()) || type.getSimpleName().contains("Adapter")) {
                violations.add(path + " reaches container internals: " + type.getName());
                continue;
            }
            reach(type.getSuperclass(), path + " extends", reached, work);
            for (Type supertype : type.getGenericInterfaces()) {
                types(supertype).forEach(t -> reach(t, path + " implements", reached, work));
            }
            for (Class<?> nested : type.getClasses()) {
                reach(nested, path + "." + nested.getSimpleName(), reached, work);
            }
            for (Field field : type.getFields()) {
                types(field.getGenericType()).forEach(t -> reach(t, path + "." + field.getName(), reached, work));
            }
            for (Method method : type.getMethods()) {
                String via = path + "." + method.getName() + "()";
                if (method.getParameterCount() == 0 && method.getReturnType() != void.class
                        && SECRET_GETTER.matcher(method.getName()).matches()) {
                    violations.add(via + " hands out what its name says");
                }
                types(method.getGenericReturnType()).forEach(t -> reach(t, via, reached, work));
                for (Type parameter : method.getGenericParameterTypes()) {
                    types(parameter).forEach(t -> reach(t, via + " parameter", reached, work));
                }
            }
            for (Class<?> implementation : compiled) {
                if (type.isAssignableFrom(implementation) && Modifier.isPublic(implementation.getModifiers())) {
                    reach(implementation, path + " as " + implementation.getSimpleName(), reached, work);
                }
            }
        }
        return violations;
    }

    /** The types the last {@link #violations} walk reached, each with its path. */
    Map<Class<?>, String> reached() {
        return Map.copyOf(reached);
    }

    private static void reach(Class<?> type, String path, Map<Class<?>, String> reached, Deque<Class<?>> work) {
        while (type != null && type.isArray()) {
            type = type.getComponentType();
        }
        if (type != null && type.getName().startsWith(ROOT) && Modifier.isPublic(type.getModifiers())
                && reached.putIfAbsent(type, path) == null) {
            work.add(type);
        }
    }

    /** The classes a generic type names: itself, its type arguments, bounds and components. */
    private static List<Class<?>> types(Type type) {
        List<Class<?>> found = new ArrayList<>();
        collect(type, found, 0);
        return found;
    }

    private static void collect(Type type, List<Class<?>> found, int depth) {
        if (depth > 8) {
            return; // a recursive bound such as E extends Enum<E>
        }
        if (type instanceof Class<?> c) {
            found.add(c);
        } else if (type instanceof ParameterizedType p) {
            collect(p.getRawType(), found, depth + 1);
            for (Type argument : p.getActualTypeArguments()) {
                collect(argument, found, depth + 1);
            }
        } else if (type instanceof WildcardType w) {
            Stream.concat(Stream.of(w.getUpperBounds()), Stream.of(w.getLowerBounds())).forEach(b -> collect(b, found, depth + 1));
        } else if (type instanceof GenericArrayType a) {
            collect(a.getGenericComponentType(), found, depth + 1);
        } else if (type instanceof TypeVariable<?> v) {
            for (Type bound : v.getBounds()) {
                collect(bound, found, depth + 1);
            }
        }
    }
}
