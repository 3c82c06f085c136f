package io.github.consulservlet.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.spi.ConnectorChoice.Connector;
import io.github.consulservlet.spi.ConnectorChoice.Kind;

class ConnectorChoiceTest {
    private static final Connector AJP = new Connector("ajp", Kind.PROXY_ONLY, "", 8009, "ajp");
    private static final Connector HTTPS = new Connector("secure", Kind.TLS, "", 8443, "https");
    private static final Connector HTTP = new Connector("plain", Kind.PLAIN_HTTP, "", 8080, "http");
    private static final Connector UNBOUND_HTTP = new Connector("early", Kind.PLAIN_HTTP, "", 0, "unbound");

    @Test
    void theFirstBoundPlainHttpConnectorWinsWhereverItIs() {
        assertEquals(Optional.of(HTTP), ConnectorChoice.choose(List.of(AJP, UNBOUND_HTTP, HTTPS, HTTP), Set.of()));
        Connector second = new Connector("second", Kind.PLAIN_HTTP, "", 8081, "second");
        assertEquals(Optional.of(HTTP), ConnectorChoice.choose(List.of(HTTP, second), Set.of()));
    }

    @Test
    void withoutPlainHttpTheFirstConnectorThatServesClientsIsChosen() {
        Connector other = new Connector("h2c", Kind.OTHER, "", 8082, "h2c");
        assertEquals(Optional.of(HTTPS), ConnectorChoice.choose(List.of(AJP, HTTPS, other), Set.of()));
        assertEquals(Optional.of(other), ConnectorChoice.choose(List.of(other, HTTPS), Set.of()));
    }

    @Test
    void aConnectorNotBoundOrOnlyForAProxyIsNeverChosen() {
        Connector negative = new Connector("closed", Kind.PLAIN_HTTP, "", -1, "closed");
        assertTrue(ConnectorChoice.choose(List.of(AJP, UNBOUND_HTTP, negative), Set.of()).isEmpty());
        assertTrue(ConnectorChoice.choose(List.of(), Set.of()).isEmpty());
    }

    @Test
    void aWebappRestrictedToNamedConnectorsGetsOneOfThoseNamesIgnoringCase() {
        Connector unnamed = new Connector(null, Kind.PLAIN_HTTP, "", 8083, "unnamed");
        assertEquals(Optional.of(HTTPS), ConnectorChoice.choose(List.of(unnamed, HTTP, HTTPS), Set.of("SECURE")));
        assertEquals(Optional.of(HTTP), ConnectorChoice.choose(List.of(unnamed, HTTPS, HTTP), Set.of("secure", "Plain")));
        assertTrue(ConnectorChoice.choose(List.of(unnamed, HTTP), Set.of("elsewhere")).isEmpty());
    }

    @Test
    void onlyPlainHttpCanBeProbedByAnHttpCheck() {
        assertTrue(HTTP.plainHttp());
        assertTrue(!HTTPS.plainHttp() && !AJP.plainHttp());
    }
}
