package io.github.consulservlet.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardService;
import org.junit.jupiter.api.Test;

import io.github.consulservlet.spi.ConnectorChoice;

class FollowedContextTest {

    @Test
    void theServicesStartedPlainHttpConnectorGivesThePortNotAjpNorAnUnboundOne() throws LifecycleException {
        StandardService service = new StandardService();
        Connector ajp = connector("AJP/1.3");
        ajp.setProperty("secretRequired", "false");
        Connector unbound = connector("HTTP/1.1");
        Connector http = connector("HTTP/1.1");
        service.addConnector(ajp);
        service.addConnector(unbound);
        service.addConnector(http);
        try {
            start(ajp);
            start(http);
            assertTrue(FollowedContext.connectorOf(null).isEmpty());
            ConnectorChoice.Connector chosen = FollowedContext.connectorOf(service).orElseThrow();
            assertEquals(http.getLocalPort(), chosen.port());
            assertEquals("127.0.0.1", chosen.host());
            assertEquals(ConnectorChoice.Kind.PLAIN_HTTP, chosen.kind());
        } finally {
            for (Connector connector : service.findConnectors()) {
                connector.destroy();
            }
        }
    }

    @Test
    void aConnectorWithSslEnabledOrSecureIsTlsSoItsChecksProbeHttps() {
        Connector ssl = connector("HTTP/1.1");
        ssl.setProperty("SSLEnabled", "true");
        Connector secure = connector("HTTP/1.1");
        secure.setSecure(true);
        secure.setScheme("https");
        assertEquals(ConnectorChoice.Kind.TLS, FollowedContext.kind(ssl));
        assertEquals(ConnectorChoice.Kind.TLS, FollowedContext.kind(secure));
        assertEquals(ConnectorChoice.Kind.PLAIN_HTTP, FollowedContext.kind(connector("HTTP/1.1")));
    }

    private static Connector connector(String protocol) {
        Connector connector = new Connector(protocol);
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        return connector;
    }

    private static void start(Connector connector) throws LifecycleException {
        connector.init();
        connector.start();
    }
}
