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

import io.github.consulservlet.internal.config.Setting;

/**
 * The commented defaults of {@code consul.mod} and {@code consul-ee11.mod} are the declarations
 * of the settings: each one a Jetty property may give is there, with its default, its help
 * sentence and its environment variable in the comment above it; and {@code etc/jetty-consul.xml}
 * passes each of them on.
 */
class ModuleSettingsTest {
    private static final Path JETTY = Path.of(System.getProperty("jetty.module.dir", "src/main/jetty"));
    private static final Pattern PROPERTY = Pattern.compile("^# (consul\\.[a-z.-]+)=(.*)$");

    /** The comment above each commented property of the ini template, by property, with its default. */
    private static Map<String, String[]> documented(String mod) throws IOException {
        Map<String, String[]> documented = new LinkedHashMap<>();
        List<String> comment = new ArrayList<>();
        boolean template = false;
        for (String line : Files.readAllLines(JETTY.resolve("modules").resolve(mod))) {
            template = template ? !line.startsWith("[") : line.equals("[ini-template]");
            Matcher property = PROPERTY.matcher(line);
            if (!template) {
                continue;
            } else if (property.matches()) {
                documented.put(property.group(1), new String[] {property.group(2), String.join(" ", comment)});
                comment.clear();
            } else if (line.startsWith("## ")) {
                comment.add(line.substring(3));
            } else {
                comment.clear();
            }
        }
        return documented;
    }

    /** Markdown's code marks dropped and white space made single, as the comments write the help. */
    private static String plain(String text) {
        return text.replace("`", "").replaceAll("\\s+", " ").strip();
    }

    @Test
    void everySettingAJettyPropertyMayGiveIsACommentedDefaultWithItsHelp() throws IOException {
        for (String mod : List.of("consul.mod", "consul-ee11.mod")) {
            Map<String, String[]> documented = documented(mod);
            for (Setting<?> setting : Setting.values()) {
                String[] entry = documented.get(setting.key());
                if (!setting.containerMaySet() && entry == null) {
                    continue;
                }
                assertTrue(entry != null, mod + " has no commented default of " + setting.key());
                assertEquals(setting.defaultValue().orElse(""), entry[0], mod + ": the default of " + setting.key());
                assertTrue(plain(entry[1]).contains(plain(setting.help())), mod + ": the comment above " + setting.key()
                        + " does not say its help, which reads: ## " + plain(setting.help()));
                setting.environmentVariable().ifPresent(variable -> assertTrue(entry[1].contains("Environment: " + variable),
                        mod + ": the comment above " + setting.key() + " does not name its environment variable " + variable));
            }
            for (String key : documented.keySet()) {
                assertTrue(Setting.byKey(key).isPresent(), mod + " documents " + key + ", which is not a setting");
            }
        }
    }

    @Test
    void theXmlPassesEverySettingAJettyPropertyMayGive() throws IOException {
        String xml = Files.readString(JETTY.resolve("etc/jetty-consul.xml"));
        for (Setting<?> setting : Setting.values()) {
            if (setting.containerMaySet()) {
                String entry = "<Entry><Item>" + setting.key() + "</Item><Item><Property name=\"" + setting.key() + "\"/></Item></Entry>";
                assertTrue(xml.contains(entry), "etc/jetty-consul.xml does not pass " + setting.key() + ": expected " + entry);
            }
        }
    }
}
