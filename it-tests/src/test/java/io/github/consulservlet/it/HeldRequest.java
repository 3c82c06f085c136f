package io.github.consulservlet.it;

import static io.github.consulservlet.it.ContainerProcess.get;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A request the sample webapp holds in flight ({@code /app/hold}, {@code /app/async-hold}): what a drain waits for. */
final class HeldRequest {
    private final CompletableFuture<HttpResponse<String>> response;

    private HeldRequest(CompletableFuture<HttpResponse<String>> response) {
        this.response = response;
    }

    /** Sends {@code /<webapp>/app/<hold>} and returns once the webapp holds it. */
    static HeldRequest start(int port, String webapp, String hold) {
        String base = "http://127.0.0.1:" + port + "/" + webapp + "/app/";
        HeldRequest held = new HeldRequest(ContainerProcess.HTTP.sendAsync(HttpRequest.newBuilder(URI.create(base + hold)).build(),
                HttpResponse.BodyHandlers.ofString()));
        await(webapp + "'s request in flight").atMost(Duration.ofSeconds(10)).until(() -> get(base + "holding").body(), "1"::equals);
        return held;
    }

    /** The webapp is draining: in maintenance, and it stays registered while this request is held. */
    void awaitDraining(AgentView agent, String name, String serviceId) {
        await(name + " in maintenance").atMost(Duration.ofSeconds(30)).until(() -> agent.inMaintenance(serviceId));
        await(name + " draining").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> !response.isDone() && agent.instances(name).size() == 1);
    }

    /** The body, once the request has ended. */
    String body() {
        return response.join().body();
    }
}
