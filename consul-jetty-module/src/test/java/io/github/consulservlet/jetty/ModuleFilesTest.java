package io.github.consulservlet.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.internal.config.ConsulSettings;

/** The Jetty module files name every container-level setting, and the two environments' modules are twins. */
class ModuleFilesTest {
    private static final Path JETTY = Path.of(System.getProperty("jetty.module.dir", "src/main/jetty"));

    private static Map<String, List<String>> sections(Path mod) throws IOException {
        Map<String, List<String>> sections = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : Files.readAllLines(mod)) {
            Matcher header = Pattern.compile("^\\[([a-z-]+)]$").matcher(line.strip());
            if (header.matches()) {
                current = sections.computeIfAbsent(header.group(1), k -> new ArrayList<>());
            } else if (current != null && !line.isBlank()) {
                current.add(line);
            }
        }
        return sections;
    }

    @Test
    void theIniTemplatesDocumentEverySettingOnceInTheReadmesOrder() throws IOException {
        for (String mod : List.of("consul.mod", "consul-ee11.mod")) {
            List<String> documented = sections(JETTY.resolve("modules").resolve(mod)).get("ini-template").stream()
                    .filter(line -> line.startsWith("# consul."))
                    .map(line -> line.substring(2, line.indexOf('=')))
                    .toList();
            assertEquals(ConsulSettings.names(), documented, mod);
        }
    }

    /** {@code --list-config} prints the properties set in start.d: the token is best given as a file. */
    @Test
    void theIniTemplatesRecommendTheTokenFile() throws IOException {
        for (String mod : List.of("consul.mod", "consul-ee11.mod")) {
            String template = String.join("\n", sections(JETTY.resolve("modules").resolve(mod)).get("ini-template"));
            String token = template.substring(0, template.indexOf("# consul.token="));
            assertTrue(token.substring(token.lastIndexOf("# consul.agent=")).contains("--list-config")
                    && token.contains("prefer\n## consul.token-file"), mod);
            assertTrue(template.contains("The recommended way to\n## give the token"), mod);
        }
    }

    @Test
    void theXmlPassesEverySettingAsTheJettyPropertyOfTheSameName() throws IOException {
        String xml = Files.readString(JETTY.resolve("etc/jetty-consul.xml"));
        List<String> passed = new ArrayList<>();
        Matcher entry = Pattern.compile("<Entry><Item>([^<]+)</Item><Item><Property name=\"([^\"]+)\"/></Item></Entry>").matcher(xml);
        while (entry.find()) {
            assertEquals(entry.group(1), entry.group(2));
            passed.add(entry.group(1));
        }
        assertEquals(ConsulSettings.names(), passed);
    }

    @Test
    void theEe10AndEe11ModulesDifferOnlyInTheirEnvironment() throws IOException {
        Map<String, List<String>> ee10 = sections(JETTY.resolve("modules/consul.mod"));
        Map<String, List<String>> ee11 = sections(JETTY.resolve("modules/consul-ee11.mod"));
        assertEquals(List.of("ee10"), ee10.get("environment"));
        assertEquals(List.of("ee11"), ee11.get("environment"));
        assertEquals(List.of("ee10-deploy", "ee10-annotations"), ee10.get("depend"));
        assertEquals(List.of("ee11-deploy", "ee11-annotations"), ee11.get("depend"));
        for (String section : List.of("lib", "xml", "ini", "tags")) {
            assertEquals(ee10.get(section), ee11.get(section), section);
        }
        assertEquals(List.of("lib/consul/" + System.getProperty("jetty.module.jar", "consul-servlet-jetty.jar")), ee10.get("lib"));
        assertEquals(List.of("etc/jetty-consul.xml"), ee10.get("xml"));
        assertEquals(ee10.get("ini-template").size(), ee11.get("ini-template").size());
        assertTrue(ee10.get("ini").contains("jetty.webapp.addProtectedClasses+=,io.github.consulservlet."));
    }
}
