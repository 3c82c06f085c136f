package io.github.consulservlet.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * The settings table of {@code docs/configuration.md} is the declarations of {@link Setting},
 * row for row: on a difference, the failure gives the whole table to paste between its markers.
 */
class ConfigurationDocTest {
    private static final String BEGIN = "<!-- settings-table:begin -->";
    private static final String END = "<!-- settings-table:end -->";
    /** The project's root: the parent of this module's directory. */
    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize().getParent();

    /** The table as the declarations make it, one row per setting in declaration order. */
    static String table() {
        StringBuilder table = new StringBuilder("| setting | set in | default | environment | accepted | meaning |\n"
                + "|---|---|---|---|---|---|\n");
        for (Setting<?> setting : Setting.values()) {
            table.append("| `").append(setting.key()).append("` | ").append(where(setting))
                    .append(" | ").append(setting.documentedDefault())
                    .append(" | ").append(setting.environmentVariable().map(v -> "`" + v + "`"
                            + setting.environmentNote().map(n -> " (" + n + ")").orElse("")).orElse(""))
                    .append(" | ").append(setting.accepted())
                    .append(" | ").append(setting.help()).append(" |\n");
        }
        return table.toString();
    }

    private static String where(Setting<?> setting) {
        return switch (setting.scope()) {
            case WEBAPP_AND_CONTAINER -> "`web.xml`, Valve `" + setting.valveAttribute() + "`, Jetty ini";
            case WEBAPP_ONLY -> "`web.xml` only";
            case CONTAINER_ONLY -> "Valve `" + setting.valveAttribute() + "`, Jetty ini";
        };
    }

    @Test
    void theSettingsTableIsTheDeclarations() throws IOException {
        Path doc = ROOT.resolve("docs/configuration.md");
        String text = Files.readString(doc);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        assertTrue(begin >= 0 && end > begin, doc + " has no " + BEGIN + " ... " + END);
        String documented = text.substring(begin + BEGIN.length(), end).strip() + "\n";
        assertEquals(table(), documented, "the table of " + doc + " is not the declarations of Setting; between its markers"
                + " it should read:\n\n" + table());
    }

    /** Every cell is one line of text a Markdown table can hold. */
    @Test
    void noDeclarationBreaksTheTable() {
        String cells = Setting.values().stream()
                .map(s -> s.documentedDefault() + s.accepted() + s.help() + s.environmentNote().orElse(""))
                .collect(Collectors.joining());
        assertTrue(!cells.contains("|") && !cells.contains("\n"), "a declaration holds '|' or a line break");
        for (Setting<?> setting : Setting.values()) {
            assertTrue(setting.help().endsWith("."), setting + ": its help is one sentence, with its full stop");
        }
    }
}
