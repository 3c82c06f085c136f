package io.github.consulservlet.internal.client.transport;

import java.net.Socket;
import java.net.SocketAddress;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.nio.ssl.TlsStrategy;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.reactor.ssl.TransportSecurityLayer;
import org.apache.hc.core5.util.Timeout;

/**
 * The TLS of a client whose agents are all {@code http}: none. HttpClient's own default would
 * build the JVM's default TLS context at once, reading its whole trust store, which costs a
 * container tens of milliseconds at start-up for a context no request to such agents can use.
 */
enum PlainAgentsOnly implements TlsStrategy, TlsSocketStrategy {
    INSTANCE;

    @Override
    @Deprecated
    public boolean upgrade(TransportSecurityLayer session, HttpHost host, SocketAddress local, SocketAddress remote,
            Object attachment, Timeout handshakeTimeout) {
        throw new IllegalStateException(refused(host.getHostName()));
    }

    @Override
    public SSLSocket upgrade(Socket socket, String target, int port, Object attachment, HttpContext context)
            throws SSLException {
        throw new SSLException(refused(target));
    }

    private static String refused(String host) {
        return "no TLS to " + host + ": the client's agents are all http";
    }
}
