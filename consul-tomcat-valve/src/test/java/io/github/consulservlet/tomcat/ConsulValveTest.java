package io.github.consulservlet.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.apache.catalina.LifecycleException;
import org.apache.catalina.core.StandardEngine;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.startup.FailedContext;
import org.junit.jupiter.api.Test;

import io.github.consulservlet.internal.config.ConsulSettings;

class ConsulValveTest {

    @Test
    void eachSettingIsAnAttributeInCamelCase() {
        assertEquals("agent", ConsulValve.attributeOf("consul.agent"));
        assertEquals("tokenFile", ConsulValve.attributeOf("consul.token-file"));
        assertEquals("consistencyMode", ConsulValve.attributeOf("consul.consistency-mode"));
        assertEquals("serviceTags", ConsulValve.attributeOf("consul.service.tags"));
        assertEquals("checkDeregisterAfter", ConsulValve.attributeOf("consul.check.deregister-after"));
        assertEquals("tlsCaFile", ConsulValve.attributeOf("consul.tls.ca-file"));
        Set<String> attributes = new HashSet<>();
        for (String setting : ConsulSettings.names()) {
            assertTrue(attributes.add(ConsulValve.attributeOf(setting)), setting);
        }
    }

    @Test
    void attributesBecomeTheContainerSettingsByName() {
        ConsulValve valve = new ConsulValve();
        assertTrue(valve.setProperty("agent", "http://127.0.0.1:8600"));
        assertTrue(valve.setProperty("checkMode", "ttl"));
        assertTrue(valve.setProperty("checkDeregisterAfter", "5m"));
        assertEquals(Map.of("consul.agent", "http://127.0.0.1:8600", "consul.check.mode", "ttl",
                "consul.check.deregister-after", "5m"), valve.settings());
        valve.checkAttributes();
    }

    @Test
    void anAttributeThatIsNoSettingFailsWithItsNameAndTheAcceptedOnes() {
        ConsulValve valve = new ConsulValve();
        assertTrue(valve.setProperty("serviceTag", "blue"), "accepted: Tomcat would log the value of a refused one");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, valve::checkAttributes);
        assertEquals("ConsulValve attribute 'serviceTag' is not a setting; expected one of enabled, agent, token,"
                + " tokenFile, consistencyMode, datacenter, serviceTags, serviceMeta, serviceAddress,"
                + " servicePort, checkMode, checkPath, checkInterval, checkTimeout, checkTtl, checkDeregisterAfter,"
                + " checkInitialStatus, drain,"
                + " tlsCaFile, tlsClientCert, tlsClientKey, tlsVerify, clientMaxResponseSize, clientMaxWatchResponseSize, webappOverrides; the nearest is serviceTags", e.getMessage());
    }

    /** A misspelled token attribute: accepted, so that Tomcat does not log it with its value; the warning names it, never the value. */
    @Test
    void aMisspelledAttributeIsWarnedAboutByNameOnly() {
        java.util.List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(ConsulValve.class.getName());
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                logged.add(record.getLevel() + " " + record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean parentHandlers = log.getUseParentHandlers();
        log.addHandler(handler);
        log.setUseParentHandlers(false); // no WARNING on a green build
        try {
            assertTrue(new ConsulValve().setProperty("tokne", "s3cr3t-value"));
        } finally {
            log.removeHandler(handler);
            log.setUseParentHandlers(parentHandlers);
        }
        assertEquals(1, logged.size(), logged.toString());
        assertTrue(logged.get(0).startsWith("WARNING consul-servlet: ConsulValve attribute 'tokne' is not a setting;"), logged.get(0));
        assertTrue(logged.get(0).contains("the nearest is token (the value is not shown)"), logged.get(0));
        assertFalse(logged.get(0).contains("s3cr3t"), logged.get(0));
    }

    @Test
    void theServiceNameAndIdArePerWebapp() {
        ConsulValve valve = new ConsulValve();
        assertTrue(valve.setProperty("serviceName", "shop"));
        assertEquals("ConsulValve attribute 'serviceName' would give every webapp the same service, and the same instance ID;"
                + " expected a consul.service.name context-param in the webapp it names",
                assertThrows(IllegalArgumentException.class, valve::checkAttributes).getMessage());
    }

    /** A start that throws fires no event; what the valve noted of it goes with the context. */
    @Test
    void aContextWhoseStartThrowsLeavesNothingBehindOnceRemoved() {
        StandardEngine engine = new StandardEngine();
        engine.setName("consul-it");
        engine.setDefaultHost("localhost");
        StandardHost host = new StandardHost();
        host.setName("localhost");
        engine.addChild(host);
        ConsulValve valve = new ConsulValve();
        host.getPipeline().addValve(valve);
        FailedContext broken = new FailedContext();
        broken.setName("/broken");
        broken.setPath("/broken");
        host.addChild(broken);

        assertThrows(LifecycleException.class, broken::start);
        assertEquals(1, valve.contextsStarting());
        host.removeChild(broken);
        assertEquals(0, valve.contextsStarting());
    }
}
