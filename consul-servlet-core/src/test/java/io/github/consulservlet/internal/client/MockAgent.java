package io.github.consulservlet.internal.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.mockserver.model.HttpRequest.request;
import static org.mockserver.model.HttpResponse.response;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.mockserver.configuration.Configuration;
import org.mockserver.integration.ClientAndServer;
import org.mockserver.model.HttpRequest;
import org.mockserver.model.NottableString;
import org.mockserver.model.Parameter;

/**
 * MockServer on 127.0.0.1 and a free port, standing in for a Consul agent in contract tests:
 * it answers canned responses and records the exact requests the client sent.
 */
final class MockAgent implements AutoCloseable {
    static final String TOKEN = "s3cr3t-token";

    final ClientAndServer server;

    MockAgent() {
        server = ClientAndServer.startClientAndServer(Configuration.configuration()
                .localBoundIP("127.0.0.1").logLevel("WARN").disableSystemOut(true), 0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** A client of this agent that sends the test token. */
    ConsulClient.Builder clientBuilder() {
        return ConsulClient.builder().agents(url()).token(TOKEN);
    }

    /** Answers every {@code method path} with {@code status} and {@code body}. */
    MockAgent answer(String method, String path, int status, String body) {
        server.when(request().withMethod(method).withPath(path))
                .respond(response().withStatusCode(status).withHeader("X-Consul-Index", "42").withBody(body));
        return this;
    }

    /** The one request the client sent; fails when it sent none or several. */
    HttpRequest onlyRequest() {
        HttpRequest[] all = server.retrieveRecordedRequests(request());
        assertEquals(1, all.length, () -> "expected one request, got " + List.of(all));
        return all[0];
    }

    int requestCount() {
        return server.retrieveRecordedRequests(request()).length;
    }

    /**
     * Asserts that the one request sent is exactly {@code method path?query}, carrying the token
     * in the header and nowhere else.
     */
    HttpRequest assertOnly(String method, String path, Map<String, String> query) {
        HttpRequest sent = onlyRequest();
        assertEquals(method, sent.getMethod().getValue(), "method");
        assertEquals(path, sent.getPath().getValue(), "path");
        assertEquals(query, query(sent), "query");
        assertEquals(List.of(TOKEN), sent.getHeader("X-Consul-Token"), "token header");
        assertFalse(sent.getPath().getValue().contains(TOKEN) || query(sent).containsValue(TOKEN),
                "the token must never be in the URL");
        return sent;
    }

    /** The query parameters of a request; a bare flag such as {@code ?recurse} has the value "". */
    static Map<String, String> query(HttpRequest sent) {
        Map<String, String> query = new LinkedHashMap<>();
        if (sent.getQueryStringParameterList() != null) {
            for (Parameter p : sent.getQueryStringParameterList()) {
                query.put(p.getName().getValue(),
                        p.getValues().stream().map(NottableString::getValue).collect(Collectors.joining(",")));
            }
        }
        return query;
    }

    @Override
    public void close() {
        server.stop();
    }
}
