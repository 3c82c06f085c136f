package io.github.consulservlet.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import io.github.consulservlet.it.sample.SampleServlet;

/** Packs the sample webapp into a WAR with the context params a test wants. */
final class SampleWar {
    private final Map<String, String> contextParams = new LinkedHashMap<>();

    static SampleWar sample() {
        return new SampleWar();
    }

    SampleWar param(String name, String value) {
        contextParams.put(name, value);
        return this;
    }

    /** Writes {@code <name>.war} into {@code directory}, atomically, as a deployer must see it. */
    Path writeTo(Path directory, String name) {
        try {
            Path staging = Files.createTempFile(directory.getParent(), name, ".war.tmp");
            try (ZipOutputStream war = new ZipOutputStream(Files.newOutputStream(staging))) {
                add(war, "WEB-INF/web.xml", webXml().getBytes(StandardCharsets.UTF_8));
                Path classes = Path.of(SampleServlet.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                Path pkg = classes.resolve(SampleServlet.class.getPackageName().replace('.', '/'));
                try (Stream<Path> files = Files.list(pkg)) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                        add(war, "WEB-INF/classes/" + classes.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
                    }
                }
            }
            return Files.move(staging, directory.resolve(name + ".war"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private String webXml() {
        StringBuilder xml = new StringBuilder("""
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee"
                         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                         xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/web-app_6_0.xsd"
                         version="6.0">
                """);
        contextParams.forEach((name, value) -> xml.append("  <context-param><param-name>").append(name)
                .append("</param-name><param-value>").append(value).append("</param-value></context-param>\n"));
        xml.append("""
                  <servlet>
                    <servlet-name>sample</servlet-name>
                    <servlet-class>io.github.consulservlet.it.sample.SampleServlet</servlet-class>
                    <load-on-startup>1</load-on-startup>
                    <async-supported>true</async-supported>
                  </servlet>
                  <servlet-mapping>
                    <servlet-name>sample</servlet-name>
                    <url-pattern>/app/*</url-pattern>
                  </servlet-mapping>
                </web-app>
                """);
        return xml.toString();
    }

    private static void add(ZipOutputStream war, String name, byte[] content) throws IOException {
        war.putNextEntry(new ZipEntry(name));
        war.write(content);
        war.closeEntry();
    }
}
