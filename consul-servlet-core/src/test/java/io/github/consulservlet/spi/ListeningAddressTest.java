package io.github.consulservlet.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.junit.jupiter.api.Test;

class ListeningAddressTest {

    @Test
    void everySpellingOfEveryInterfaceIsEmpty() {
        for (String wildcard : new String[] {null, "", " ", "0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0", "::0"}) {
            assertEquals("", ListeningAddress.host(wildcard), wildcard);
            assertTrue(ListeningAddress.isEveryInterface(wildcard), wildcard);
        }
    }

    @Test
    void aHostOfOneInterfaceIsKeptAsTheContainerGaveIt() {
        for (String bound : new String[] {"127.0.0.1", "::1", "[fd00::7]", "10.1.2.3", "localhost", "web-1.example"}) {
            assertEquals(bound, ListeningAddress.host(bound));
            assertFalse(ListeningAddress.isEveryInterface(bound), bound);
        }
    }

    @Test
    void anAddressBoundToEveryInterfaceIsEmptyToo() throws UnknownHostException {
        assertEquals("", ListeningAddress.host((InetAddress) null));
        assertEquals("", ListeningAddress.host(InetAddress.getByName("0.0.0.0")));
        assertEquals("", ListeningAddress.host(InetAddress.getByName("::")));
        assertEquals("127.0.0.1", ListeningAddress.host(InetAddress.getByName("127.0.0.1")));
        assertEquals("0:0:0:0:0:0:0:1", ListeningAddress.host(InetAddress.getByName("::1")));
    }
}
