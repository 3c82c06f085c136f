package io.github.consulservlet.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.consulservlet.KvEntry;
import io.github.consulservlet.internal.client.agent.AgentService;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.testagent.AgentKind;
import io.github.consulservlet.testagent.ConsulBinary;
import io.github.consulservlet.testagent.ConsulTestAgent;

/**
 * The README's first command: a real Tomcat and a real Jetty, installed as the README tells a
 * user, each with one webapp, registered in Consul (the agent at {@code CONSUL_HTTP_ADDR}, else a
 * real agent of its own when a Consul binary can be had, else the simulator, on 127.0.0.1:8500),
 * then a discovery call and a KV write and read across the two containers, and leader election
 * between them: the leader's webapp is undeployed, the other takes over, and the first comes back
 * as a follower. Runs until Ctrl-C; {@code -Ddemo.once=true} stops both containers after the tour
 * and exits. Started by {@code mvn -Pdemo verify}, which builds what it needs.
 */
final class Demo {
    private static final String TOMCAT_APP = "inventory";
    private static final String JETTY_APP = "storefront";
    private static final int STEPS = 9;
    /** Consul's usual HTTP port, where a user's browser and CLI look first. */
    private static final int CONSUL_PORT = 8500;

    private final AtomicBoolean stopped = new AtomicBoolean();
    private AgentView agent;
    private ContainerProcess tomcat;
    private ContainerProcess jetty;
    private int tomcatPort;
    private int jettyPort;
    private int step;
    private long stepStarted;

    public static void main(String[] args) {
        Demo demo = new Demo();
        boolean once = Boolean.getBoolean("demo.once");
        // Ctrl-C at any step stops what has started
        Runtime.getRuntime().addShutdownHook(new Thread(demo::stop, "demo-stop"));
        try {
            demo.run();
            if (once) {
                demo.stop();
                return;
            }
            System.out.println("\nRunning. Press Ctrl-C to stop both containers (each deregisters its webapp as it stops).");
            new CountDownLatch(1).await();
        } catch (Throwable e) {
            System.err.println("\nThe demo failed at step " + demo.step + ": " + e.getMessage());
            demo.stop();
            System.exit(1);
        }
    }

    private void run() throws IOException, InterruptedException {
        progress("Consul agent");
        done(startAgent());

        progress("Tomcat " + System.getProperty("tomcat.version") + ": the drop-in jar in lib/, the Valve in server.xml, "
                + TOMCAT_APP + ".war in webapps/");
        String valve = "<Valve className=\"io.github.consulservlet.tomcat.ConsulValve\" agent=\"" + agent.url() + "\""
                + agent.agent.token().map(t -> " token=\"" + t + "\"").orElse("") + "/>";
        Path tomcatBase = TomcatInstall.install(System.getProperty("tomcat.version"), "demo-tomcat", valve, 0);
        try (var bundled = Files.list(tomcatBase.resolve("webapps"))) {
            for (Path webapp : bundled.toList()) {
                Copy.delete(webapp); // Tomcat's own webapps would be registered too; the demo keeps to its two
            }
        }
        SampleWar.sample().writeTo(tomcatBase.resolve("webapps"), TOMCAT_APP);
        tomcat = TomcatInstall.start(tomcatBase, "");
        tomcatPort = TomcatInstall.boundPort(tomcat);
        done("started on 127.0.0.1:" + tomcatPort + ", log " + tomcatBase.resolve("logs/catalina.out"));

        progress("Jetty " + System.getProperty("jetty.version") + ": the jetty-base archive unpacked, --add-modules=http,consul, "
                + JETTY_APP + ".war in webapps/");
        JettyInstall jettyBase = JettyInstall.install("demo-jetty-base", List.of("consul"), "consul.agent=" + agent.url() + "\n"
                + agent.agent.token().map(t -> "consul.token=" + t + "\n").orElse(""));
        Files.writeString(jettyBase.base.resolve("webapps/" + JETTY_APP + ".properties"), "environment=ee10\n");
        SampleWar.sample().writeTo(jettyBase.base.resolve("webapps"), JETTY_APP);
        jetty = jettyBase.start();
        jettyPort = JettyInstall.boundPort(jetty);
        done("started on 127.0.0.1:" + jettyPort + ", log " + jettyBase.base.resolve("logs/jetty.out"));

        progress("Both webapps registered in Consul, checks passing");
        for (String name : List.of(TOMCAT_APP, JETTY_APP)) {
            await(name + " registered and passing").atMost(Duration.ofSeconds(60)).until(() -> agent.passing(name));
        }
        System.out.printf("      %-11s %-28s %-17s %s%n", "service", "id", "address:port", "check");
        for (String name : List.of(TOMCAT_APP, JETTY_APP)) {
            AgentService service = agent.instance(name).orElseThrow();
            System.out.printf("      %-11s %-28s %-17s %s%n", name, service.id(), service.address() + ":" + service.port(),
                    agent.checkStatus(service.id()).map(CheckStatus::name).orElse("?").toLowerCase(Locale.ROOT));
        }

        progress("Discovery: " + JETTY_APP + " (Jetty) asks ConsulContext.discovery() for " + TOMCAT_APP);
        done(JETTY_APP + " found: " + call(jettyPort, JETTY_APP, "discover?name=" + TOMCAT_APP).strip());

        String prefix = agent.agent.unique("consul-servlet-demo");
        progress("KV: " + JETTY_APP + " writes " + prefix + "/greeting, " + TOMCAT_APP + " (Tomcat) reads it");
        call(jettyPort, JETTY_APP, "kv?key=" + prefix + "/greeting&value=hello-from-jetty");
        done(TOMCAT_APP + " read: " + call(tomcatPort, TOMCAT_APP, "kv?key=" + prefix + "/greeting"));

        progress("Leader election: " + TOMCAT_APP + " (Tomcat) and " + JETTY_APP + " (Jetty) contend for " + prefix + "/leader");
        call(tomcatPort, TOMCAT_APP, "lead?key=" + prefix + "/leader");
        await(TOMCAT_APP + " leader").atMost(Duration.ofSeconds(30)).until(() -> isLeader(tomcatPort, TOMCAT_APP));
        call(jettyPort, JETTY_APP, "lead?key=" + prefix + "/leader");
        Optional<String> session = agent.consul.kv().get(prefix + "/leader").flatMap(KvEntry::session);
        done(TOMCAT_APP + " leads (key held by session " + session.orElse("<none>") + "), " + JETTY_APP + " is "
                + call(jettyPort, JETTY_APP, "leader"));

        progress("Fail-over: " + TOMCAT_APP + ".war removed from Tomcat's webapps/, Tomcat undeploys it");
        Path war = tomcatBase.resolve("webapps/" + TOMCAT_APP + ".war");
        long removed = System.nanoTime();
        Files.delete(war);
        String leaderSession = session.orElse("");
        await(TOMCAT_APP + " letting go").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20))
                .until(() -> !agent.consul.kv().get(prefix + "/leader").flatMap(KvEntry::session).orElse("").equals(leaderSession));
        long letGo = System.nanoTime();
        await(JETTY_APP + " leader").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> isLeader(jettyPort, JETTY_APP));
        long elected = System.nanoTime();
        done(String.format(Locale.ROOT, "Tomcat undeployed it %.1f s after the WAR was removed;"
                + " %s was leader %.2f s after %s let the lock go", (letGo - removed) / 1e9, JETTY_APP, (elected - letGo) / 1e9, TOMCAT_APP));

        progress("Redeploy: " + TOMCAT_APP + ".war back in Tomcat's webapps/, it registers again and follows");
        await(TOMCAT_APP + " out of Consul").atMost(Duration.ofSeconds(60)).until(() -> agent.instances(TOMCAT_APP).isEmpty());
        SampleWar.sample().writeTo(tomcatBase.resolve("webapps"), TOMCAT_APP);
        await(TOMCAT_APP + " registered again").atMost(Duration.ofSeconds(90)).until(() -> agent.passing(TOMCAT_APP));
        call(tomcatPort, TOMCAT_APP, "lead?key=" + prefix + "/leader");
        done(TOMCAT_APP + " is " + call(tomcatPort, TOMCAT_APP, "leader") + ", " + JETTY_APP + " still leads");

        System.out.println("\nOpen:");
        for (String[] app : new String[][] {{TOMCAT_APP, "Tomcat", String.valueOf(tomcatPort)},
                {JETTY_APP, "Jetty", String.valueOf(jettyPort)}}) {
            String root = "http://127.0.0.1:" + app[2] + "/" + app[0];
            System.out.printf("  %-10s (%s)%n    the app:      %s/app/hello%n    its liveness: %s/consul/health%n"
                    + "    in Consul:    %s/v1/health/service/%s%n", app[0], app[1], root, root, agent.url(), app[0]);
        }
        System.out.println("  " + JETTY_APP + " discovering " + TOMCAT_APP + ": http://127.0.0.1:" + jettyPort + "/"
                + JETTY_APP + "/app/discover?name=" + TOMCAT_APP);
        agent.consul.kv().delete(prefix, io.github.consulservlet.KvDeleteOptions.recurse());
    }

    /**
     * The agent at {@code CONSUL_HTTP_ADDR} when it is set (the user's, with
     * {@code CONSUL_HTTP_TOKEN}); else a real agent of the demo's own from the {@link ConsulBinary},
     * on Consul's usual 127.0.0.1:8500 when that is free; else the simulator on 127.0.0.1:8500.
     * Returns what it is, for the first lines of the demo.
     */
    private String startAgent() {
        String ambient = System.getenv("CONSUL_HTTP_ADDR");
        if (ambient != null && !ambient.isBlank()) {
            String token = System.getenv("CONSUL_HTTP_TOKEN");
            agent = new AgentView(ConsulTestAgent.runningAt(agentUri(ambient.strip()),
                    Optional.ofNullable(token).filter(t -> !t.isBlank()).map(String::strip)));
            return "your agent at " + agent.url() + " (CONSUL_HTTP_ADDR)";
        }
        Optional<ConsulBinary> binary = ConsulBinary.find();
        if (binary.isPresent()) {
            boolean usualPort = isFree(CONSUL_PORT);
            agent = new AgentView(usualPort ? ConsulTestAgent.ownOnPort(AgentKind.REAL, CONSUL_PORT) : ConsulTestAgent.own(AgentKind.REAL));
            return "the real agent, " + binary.get().version() + " at " + agent.url() + " (" + binary.get().path() + ")"
                    + (usualPort ? "" : "; 127.0.0.1:" + CONSUL_PORT + " is taken");
        }
        try {
            agent = new AgentView(ConsulTestAgent.ownOnPort(AgentKind.SIMULATOR, CONSUL_PORT));
        } catch (RuntimeException e) {
            throw new IllegalStateException("could not start the Consul simulator on 127.0.0.1:" + CONSUL_PORT + " ("
                    + e.getMessage() + "); free the port, or set CONSUL_HTTP_ADDR to a running agent", e);
        }
        String why = ConsulBinary.whyMissing().orElse("no Consul binary");
        return "the simulator at " + agent.url() + " (" + (why.startsWith("no Consul binary") ? why : "no Consul binary: " + why)
                + "; set CONSUL_HTTP_ADDR to use a running agent)";
    }

    /** {@code host:port} or a URL, as Consul's CLI reads {@code CONSUL_HTTP_ADDR}. */
    private static URI agentUri(String address) {
        String lower = address.toLowerCase(Locale.ROOT);
        String url = lower.startsWith("http://") || lower.startsWith("https://") ? address
                : ("true".equalsIgnoreCase(System.getenv("CONSUL_HTTP_SSL")) ? "https://" : "http://") + address;
        URI parsed = URI.create(url);
        if (parsed.getHost() == null || parsed.getPort() < 0) {
            throw new IllegalArgumentException("CONSUL_HTTP_ADDR '" + address + "' is not an agent address;"
                    + " expected host:port or http(s)://host:port");
        }
        return parsed;
    }

    private static boolean isFree(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return probe.isBound();
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops both containers as a user would (SIGTERM) and shows that each webapp left Consul. Once. */
    private void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        System.out.println("\nStopping Tomcat and Jetty:");
        for (ContainerProcess container : new ContainerProcess[] {tomcat, jetty}) {
            if (container != null && container.isAlive()) {
                container.signalStop();
            }
        }
        for (ContainerProcess container : new ContainerProcess[] {tomcat, jetty}) {
            if (container != null) {
                try {
                    container.awaitExit(Duration.ofSeconds(60));
                } catch (RuntimeException e) {
                    System.out.println("  a container did not stop within 60 s; killed: " + e.getMessage());
                } finally {
                    container.close();
                }
            }
        }
        if (agent != null) {
            if (tomcat != null) {
                tomcat.log().lines().filter(line -> line.contains(" deregistered ")).reduce((first, last) -> last)
                        .ifPresent(line -> System.out.println("  Tomcat logged: " + line.substring(line.indexOf(" deregistered ") + 1)));
            }
            for (String name : List.of(TOMCAT_APP, JETTY_APP)) {
                System.out.println("  " + name + (agent.instances(name).isEmpty() ? ": no longer in Consul"
                        : ": STILL in Consul: " + agent.instances(name)));
            }
            agent.close();
        }
    }

    private static boolean isLeader(int port, String app) {
        return call(port, app, "leader").startsWith("leader");
    }

    private static String call(int port, String app, String path) {
        var response = ContainerProcess.get("http://127.0.0.1:" + port + "/" + app + "/app/" + path);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("/" + app + "/app/" + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private void progress(String what) {
        step++;
        stepStarted = System.nanoTime();
        System.out.println("[" + step + "/" + STEPS + "] " + what);
    }

    private void done(String what) {
        System.out.printf("      %s (%.1f s)%n", what, (System.nanoTime() - stepStarted) / 1e9);
    }
}
