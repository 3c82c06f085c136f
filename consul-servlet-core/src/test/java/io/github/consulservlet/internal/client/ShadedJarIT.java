package io.github.consulservlet.internal.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.internal.client.tls.TlsSettings;
import io.github.consulservlet.internal.client.tls.TlsTest;

/**
 * The jar users drop into a container: only our packages, dependencies relocated, small, and
 * still working when loaded alone, without HttpClient, Gson or SLF4J beside it.
 */
class ShadedJarIT {
    private static final Path JAR = Path.of(System.getProperty("shaded.jar", "target/missing-shaded.jar"));

    @Test
    void holdsOnlyOurPackagesAndMetaInf() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> foreign = jar.stream().map(ZipEntry::getName)
                    .filter(name -> !name.startsWith("io/github/consulservlet/") && !name.startsWith("META-INF/")
                            && !name.equals("io/") && !name.equals("io/github/"))
                    .toList();
            assertEquals(List.of(), foreign);
            assertTrue(jar.stream().anyMatch(e -> e.getName().startsWith("io/github/consulservlet/shaded/org/apache/hc/")));
            assertTrue(jar.stream().anyMatch(e -> e.getName().startsWith("io/github/consulservlet/shaded/com/google/gson/")));
            assertTrue(jar.stream().noneMatch(e -> e.getName().matches("META-INF/.*\\.(SF|DSA|RSA|EC)")),
                    "signatures are dropped");
            assertTrue(jar.stream().noneMatch(e -> e.getName().endsWith("module-info.class")));
        }
    }

    @Test
    void isUnderTwoPointSixMegabytes() throws IOException {
        long size = Files.size(JAR);
        assertTrue(size < 2_600_000, JAR + " is " + size + " bytes");
    }

    @Test
    void talksTlsWithAClientCertificateFromItsOwnClassLoader() throws Exception {
        com.sun.net.httpserver.HttpsServer server = TlsTest.httpsAgent();
        try (URLClassLoader loader = isolated()) {
            Class<?> tlsClass = loader.loadClass("io.github.consulservlet.internal.client.tls.TlsSettings");
            Object tls = tlsClass.getMethod("builder").invoke(null);
            tls.getClass().getMethod("caFile", Path.class).invoke(tls, TlsTest.fixture("ca.pem"));
            tls.getClass().getMethod("clientCertificate", Path.class, Path.class)
                    .invoke(tls, TlsTest.fixture("client.pem"), TlsTest.fixture("client-key.pem"));
            Class<?> clientClass = loader.loadClass("io.github.consulservlet.internal.client.ConsulClient");
            Object builder = clientClass.getMethod("builder").invoke(null);
            builder.getClass().getMethod("agents", String.class)
                    .invoke(builder, "https://127.0.0.1:" + server.getAddress().getPort());
            builder.getClass().getMethod("tls", tlsClass).invoke(builder, tls.getClass().getMethod("build").invoke(tls));
            Object client = builder.getClass().getMethod("build").invoke(builder);
            try {
                Object kv = clientClass.getMethod("kv").invoke(client);
                assertEquals(Optional.of("over tls"), loader.loadClass("io.github.consulservlet.KeyValueStore")
                        .getMethod("getString", String.class).invoke(kv, "k"));
            } finally {
                clientClass.getMethod("close").invoke(client);
            }
        } finally {
            server.stop(0);
        }
    }

    /** The shaded jar beside the servlet API alone, as in a container's lib folder. */
    private static URLClassLoader isolated() throws IOException {
        URL servletApi = jakarta.servlet.ServletContext.class.getProtectionDomain().getCodeSource().getLocation();
        return new URLClassLoader(new URL[] {JAR.toUri().toURL(), servletApi}, ClassLoader.getPlatformClassLoader());
    }

    @Test
    void worksAloneInItsOwnClassLoader() throws Exception {
        KvState state = new KvState("greeting", "hello");
        try (FakeAgent agent = new FakeAgent(state); URLClassLoader loader = isolated()) {
            Class<?> clientClass = loader.loadClass("io.github.consulservlet.internal.client.ConsulClient");
            Object builder = clientClass.getMethod("builder").invoke(null);
            Class<?> builderClass = builder.getClass();
            builderClass.getMethod("agents", String.class).invoke(builder, "127.0.0.1:1," + agent.url());
            builderClass.getMethod("token", String.class).invoke(builder, "t");
            Object client = builderClass.getMethod("build").invoke(builder);
            try {
                Class<?> kvType = loader.loadClass("io.github.consulservlet.KeyValueStore");
                Object kv = clientClass.getMethod("kv").invoke(client);
                assertEquals(Optional.of("hello"), kvType.getMethod("getString", String.class).invoke(kv, "greeting"));

                Class<?> listenerType = loader.loadClass("io.github.consulservlet.WatchListener");
                List<Object> seen = new CopyOnWriteArrayList<>();
                Object listener = Proxy.newProxyInstance(loader, new Class<?>[] {listenerType}, (proxy, method, args) -> {
                    if (method.getName().equals("onChange")) {
                        seen.add(args[0]);
                    }
                    return null;
                });
                Method watch = kvType.getMethod("watch", String.class, listenerType);
                watch.invoke(kv, "greeting", listener);
                await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1 && agent.calls.size() >= 3);
                state.set("world");
                await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
                assertTrue(seen.get(1).toString().contains("key=greeting"), seen.toString());
            } finally {
                clientClass.getMethod("close").invoke(client);
            }
            assertTrue(loader.loadClass("io.github.consulservlet.internal.client.ConsulClient").getProtectionDomain()
                    .getCodeSource().getLocation().toString().endsWith("-shaded.jar"));
        }
    }
}
