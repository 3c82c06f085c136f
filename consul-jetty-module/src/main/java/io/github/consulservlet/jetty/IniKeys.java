package io.github.consulservlet.jetty;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.github.consulservlet.spi.ContainerSetting;

/**
 * Finds the {@code consul.*} properties of a Jetty base's ini files ({@code start.ini},
 * {@code start.d/*.ini}) that are no setting. {@code etc/jetty-consul.xml} passes on only the
 * properties that are settings, so a misspelled one would otherwise be dropped without a word;
 * this names it with the nearest setting, as a webapp's misspelled context-param is named.
 */
final class IniKeys {
    private IniKeys() {
    }

    /** One warning per unknown {@code consul.*} key of the ini files of {@code base}, in file order. */
    static List<String> warnings(Path base) {
        List<String> warnings = new ArrayList<>();
        for (Path ini : iniFiles(base)) {
            List<String> lines;
            try {
                lines = Files.readAllLines(ini);
            } catch (IOException | RuntimeException e) {
                continue; // start.jar read it a moment ago; what it could not read is not ours to report
            }
            String origin = "Jetty property in " + base.relativize(ini).toString().replace('\\', '/');
            for (String line : lines) {
                key(line).flatMap(key -> ContainerSetting.unknownKeyWarning(key, origin)).ifPresent(warnings::add);
            }
        }
        return warnings;
    }

    /** The property a line of an ini file sets ({@code key=value}, {@code key+=value}), if it sets one. */
    static Optional<String> key(String line) {
        String stripped = line.strip();
        int equals = stripped.indexOf('=');
        if (stripped.isEmpty() || stripped.startsWith("#") || stripped.startsWith("-") || equals <= 0) {
            return Optional.empty();
        }
        String key = stripped.substring(0, equals).strip();
        if (key.endsWith("+") || key.endsWith("?")) {
            key = key.substring(0, key.length() - 1).strip();
        }
        return Optional.of(key);
    }

    private static List<Path> iniFiles(Path base) {
        List<Path> files = new ArrayList<>();
        Path startIni = base.resolve("start.ini");
        if (Files.isRegularFile(startIni)) {
            files.add(startIni);
        }
        Path startD = base.resolve("start.d");
        List<Path> modules = new ArrayList<>();
        if (Files.isDirectory(startD)) {
            try (DirectoryStream<Path> inis = Files.newDirectoryStream(startD, "*.ini")) {
                inis.forEach(modules::add);
            } catch (IOException | RuntimeException e) {
                modules.clear();
            }
        }
        modules.sort(null);
        files.addAll(modules);
        return files;
    }
}
