package io.github.consulservlet.testagent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.consulservlet.testagent.FaultProxy.Fault;

/** The fault proxy itself, in front of the simulator: forwards, delays, answers 500, resets, counts. */
class FaultProxyTest {
    private final ConsulTestAgent agent = ConsulTestAgent.startSimulator();
    private final FaultProxy proxy = new FaultProxy(agent.uri());
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void close() {
        proxy.close();
        agent.close();
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + proxy.address() + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void forwardsWhatNoFaultMatchesAndCountsIt() throws Exception {
        assertEquals(200, send("PUT", "/v1/agent/service/register", "{\"Name\":\"web\",\"ID\":\"web-1\"}").statusCode());
        HttpResponse<String> services = send("GET", "/v1/agent/services", "");
        assertEquals(200, services.statusCode());
        assertTrue(services.body().contains("\"web-1\""), services::body);
        assertEquals(1, proxy.count("PUT", "/v1/agent/service/register"));
        assertEquals(1, proxy.perSecond("GET", "/v1/agent/").values().stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void delaysTheAnswerButForwardsTheRequestAtOnce() throws Exception {
        proxy.fault("PUT", "/v1/agent/service/register", new Fault.Delay(Duration.ofSeconds(2)));
        long began = System.nanoTime();
        CompletableFuture<HttpResponse<String>> answer = http.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://" + proxy.address() + "/v1/agent/service/register"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"Name\":\"late\"}")).build(), HttpResponse.BodyHandlers.ofString());
        await("registered on the agent").atMost(Duration.ofSeconds(2))
                .until(() -> http.send(HttpRequest.newBuilder(agent.uri().resolve("/v1/agent/service/late")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        assertTrue(!answer.isDone(), "the answer is still held back");
        assertEquals(200, answer.get(5, TimeUnit.SECONDS).statusCode());
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        assertTrue(took.compareTo(Duration.ofSeconds(2)) >= 0, took::toString);
    }

    @Test
    void answersFiveHundredItselfAndForwardsAgainOnceHealed() throws Exception {
        proxy.fault("PUT", "/v1/agent/service/register", new Fault.ServerError("rpc error: No cluster leader"));
        HttpResponse<String> refused = send("PUT", "/v1/agent/service/register", "{\"Name\":\"sick\"}");
        assertEquals(500, refused.statusCode());
        assertEquals("rpc error: No cluster leader", refused.body());
        assertEquals(404, send("GET", "/v1/agent/service/sick", "").statusCode());
        proxy.heal();
        assertEquals(200, send("PUT", "/v1/agent/service/register", "{\"Name\":\"sick\"}").statusCode());
    }

    @Test
    void resetsTheConnectionWithoutAnAnswer() throws IOException {
        proxy.fault("PUT", "/v1/agent/", new Fault.Reset());
        String[] hostPort = proxy.address().split(":");
        try (Socket socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("PUT /v1/agent/service/register HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
            // a reset, not an orderly close (which would read -1)
            SocketException reset = assertThrows(SocketException.class, () -> socket.getInputStream().read());
            assertEquals("Connection reset", reset.getMessage());
        }
        assertEquals(1, proxy.count("PUT", "/v1/agent/service/register"));
    }
}
