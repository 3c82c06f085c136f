package io.github.consulservlet.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A misspelled consul.* property of a Jetty base's ini files is named with the nearest setting, never its value. */
class IniKeysTest {
    @TempDir
    Path base;

    @Test
    void unknownConsulPropertiesOfTheIniFilesAreWarnedAboutWithWhereTheyAre() throws IOException {
        Files.createDirectories(base.resolve("start.d"));
        Files.writeString(base.resolve("start.d/consul.ini"), String.join("\n",
                "--module=consul", "## consul.agnet=commented", "consul.agent=127.0.0.1:8500",
                "consul.agnet=127.0.0.1:8500", " consul.tokne = s3cr3t", "consul.service.tags+=,blue",
                "jetty.http.port=8080", ""));
        Files.writeString(base.resolve("start.ini"), "consul.webapps.exlude=/docs\n");
        assertEquals(List.of(
                "consul.webapps.exlude (Jetty property in start.ini) is not a consul-servlet setting and is ignored; did you"
                        + " mean consul.webapps.exclude?",
                "consul.agnet (Jetty property in start.d/consul.ini) is not a consul-servlet setting and is ignored; did you"
                        + " mean consul.agent?",
                "consul.tokne (Jetty property in start.d/consul.ini) is not a consul-servlet setting and is ignored; did you"
                        + " mean consul.token?"), IniKeys.warnings(base));
    }

    @Test
    void aBaseWithoutIniFilesHasNothingToSay() {
        assertEquals(List.of(), IniKeys.warnings(base));
    }

    @Test
    void onlyAssignmentsSetAProperty() {
        assertEquals(Optional.of("consul.drain"), IniKeys.key("consul.drain?=1s"));
        assertEquals(Optional.empty(), IniKeys.key("--add-modules=consul"));
        assertEquals(Optional.empty(), IniKeys.key("# consul.drain=1s"));
        assertEquals(Optional.empty(), IniKeys.key("=x"));
    }
}
