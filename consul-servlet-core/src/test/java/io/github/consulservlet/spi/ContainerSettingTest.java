package io.github.consulservlet.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class ContainerSettingTest {

    @Test
    void aMisspelledValveAttributeNamesTheNearestWhateverItsCase() {
        assertEquals(Optional.of("checkInterval"), ContainerSetting.nearestValveAttribute("checkIntervall"));
        assertEquals(Optional.of("checkInterval"), ContainerSetting.nearestValveAttribute("CHECKINTERVAL"));
        assertEquals(Optional.of("token"), ContainerSetting.nearestValveAttribute("tokne"));
    }

    @Test
    void anAttributeFarFromEverySettingNamesNone() {
        assertEquals(Optional.empty(), ContainerSetting.nearestValveAttribute("somethingElseEntirely"));
    }

    @Test
    void aSettingThatNamesOneWebappIsNeverOfferedToTheContainer() {
        String serviceName = ContainerSetting.byKey("consul.service.name").orElseThrow().valveAttribute();
        assertFalse(ContainerSetting.containerValveAttributes().contains(serviceName));
        assertTrue(ContainerSetting.containerValveAttributes().contains("checkInterval"));
        assertFalse(ContainerSetting.nearestValveAttribute(serviceName + "x").equals(Optional.of(serviceName)),
                "a typo of serviceName is not answered with serviceName");
    }

    @Test
    void anUnknownKeyIsWarnedWithTheNearestSettingAndItsOrigin() {
        assertEquals(Optional.of("consul.servce.name (jetty ini) is not a consul-servlet setting and is ignored;"
                + " did you mean consul.service.name?"), ContainerSetting.unknownKeyWarning("consul.servce.name", "jetty ini"));
        assertEquals(Optional.empty(), ContainerSetting.unknownKeyWarning("consul.service.name", "jetty ini"));
        assertEquals(Optional.empty(), ContainerSetting.unknownKeyWarning("jetty.http.port", "jetty ini"));
    }
}
