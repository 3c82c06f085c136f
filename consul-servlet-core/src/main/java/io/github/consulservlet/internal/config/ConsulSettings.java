package io.github.consulservlet.internal.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

import io.github.consulservlet.ConsistencyMode;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.tls.TlsSettings;

/**
 * The {@code consul.*} settings of one webapp, resolved and checked. Each is looked up in the
 * webapp's {@code <context-param>}s, then the container's settings (Tomcat {@code ConsulValve}
 * attributes, Jetty {@code start.d/consul.ini}), then Java system properties of the same name,
 * then Consul's own environment variables ({@code CONSUL_HTTP_ADDR}, {@code CONSUL_HTTP_TOKEN},
 * ...), then the default. Each setting, its type, default and accepted form are declared once,
 * in {@link Setting}; {@link SettingsResolver} finds and checks them. Immutable; {@link #toString()}
 * never shows the token.
 *
 * <p>Where the container configured the agent or the token, the agent, token and TLS settings
 * are the container's (see {@link ContainerLock}); and whatever the mode, a token set for the
 * container or the JVM is never sent to an agent a webapp names.
 */
public final class ConsulSettings {
    /** How the instance's check learns the webapp's liveness. */
    public enum CheckMode {
        /** The agent probes the liveness endpoint over HTTP every interval. */
        HTTP,
        /** consul-servlet asks the webapp's liveness in-process every ttl/3 and reports it. */
        TTL,
        /** No check: the instance is passing as long as it is registered. */
        NONE
    }

    /** The check's status from its registration until its first result. */
    public enum InitialStatus {
        CRITICAL,
        WARNING,
        PASSING
    }

    private final boolean enabled;
    private final String leftOut;
    private final String agents;
    private final String agentsOrigin;
    private final String token;
    private final ConsistencyMode consistencyMode;
    private final String datacenter;
    private final String serviceName;
    private final String serviceId;
    private final List<String> tags;
    private final Map<String, String> meta;
    private final String serviceAddress;
    private final Integer servicePort;
    private final CheckMode checkMode;
    private final String checkPath;
    private final boolean checkPathDefault;
    private final Duration checkInterval;
    private final Duration checkTimeout;
    private final Duration checkTtl;
    private final Duration deregisterAfter;
    private final InitialStatus initialStatus;
    private final Duration drain;
    private final TlsSettings tls;
    private final long maxResponseSize;
    private final long maxWatchResponseSize;
    private final boolean strictAnswers;
    private final RegistrationOptions options;
    private final boolean containerLocked;
    private final List<String> warnings;

    private ConsulSettings(SettingsResolver r) {
        this.enabled = r.enabled;
        this.leftOut = r.leftOut;
        this.agents = r.agents;
        this.agentsOrigin = r.agentsOrigin;
        this.token = r.token;
        this.consistencyMode = r.consistencyMode;
        this.datacenter = r.datacenter;
        this.serviceName = r.serviceName;
        this.serviceId = r.serviceId;
        this.tags = List.copyOf(r.tags);
        this.meta = Map.copyOf(r.meta);
        this.serviceAddress = r.serviceAddress;
        this.servicePort = r.servicePort;
        this.checkMode = r.checkMode;
        this.checkPath = r.checkPath;
        this.checkPathDefault = r.checkPathDefault;
        this.checkInterval = r.checkInterval;
        this.checkTimeout = r.checkTimeout;
        this.checkTtl = r.checkTtl;
        this.deregisterAfter = r.deregisterAfter;
        this.initialStatus = r.initialStatus;
        this.drain = r.drain;
        this.tls = r.tls;
        this.maxResponseSize = r.maxResponseSize;
        this.maxWatchResponseSize = r.maxWatchResponseSize;
        this.strictAnswers = r.strictAnswers;
        this.options = r.options;
        this.containerLocked = r.containerLocked();
        this.warnings = List.copyOf(r.warnings());
    }

    /**
     * Resolves the settings of the webapp at {@code contextPath}.
     *
     * @param contextParams the webapp's context parameters
     * @param containerSettings the container-level settings, by setting name
     * @param systemProperties looks up a Java system property
     * @param environment the process environment
     * @throws InvalidSettingsException naming every setting that cannot be used, its value, where
     *     it came from and the accepted form
     */
    public static ConsulSettings resolve(String contextPath, Map<String, String> contextParams,
            Map<String, String> containerSettings, Function<String, String> systemProperties,
            Map<String, String> environment) {
        return resolve(contextPath, contextParams, containerSettings, SettingSources.CONTAINER_SETTING, systemProperties,
                environment);
    }

    /**
     * As {@link #resolve(String, Map, Map, Function, Map)}, with {@code containerOrigin} naming the
     * container's settings in problems and warnings ({@code ConsulValve attribute}, {@code Jetty property}).
     */
    public static ConsulSettings resolve(String contextPath, Map<String, String> contextParams,
            Map<String, String> containerSettings, String containerOrigin, Function<String, String> systemProperties,
            Map<String, String> environment) {
        Objects.requireNonNull(contextPath, "contextPath");
        SettingsResolver resolver = new SettingsResolver(contextPath,
                new SettingSources(contextParams, containerSettings, containerOrigin, systemProperties, environment));
        resolver.resolve();
        if (!resolver.problems().isEmpty()) {
            throw new InvalidSettingsException(resolver.problems());
        }
        return new ConsulSettings(resolver);
    }

    /**
     * The name of every setting, in the order of the table of {@code docs/configuration.md}
     * ({@code consul.enabled}, {@code consul.agent}, ...); {@link Setting} says where each may be set.
     */
    public static List<String> names() {
        return Setting.values().stream().map(Setting::key).toList();
    }

    /** Resolves from the JVM's system properties and environment. */
    public static ConsulSettings resolve(String contextPath, Map<String, String> contextParams,
            Map<String, String> containerSettings) {
        return resolve(contextPath, contextParams, containerSettings, System::getProperty, System.getenv());
    }

    /** Resolves from the JVM's system properties and environment, {@code containerOrigin} naming the container's settings. */
    public static ConsulSettings resolve(String contextPath, Map<String, String> contextParams,
            Map<String, String> containerSettings, String containerOrigin) {
        return resolve(contextPath, contextParams, containerSettings, containerOrigin, System::getProperty, System.getenv());
    }

    /** {@code consul.enabled}, and the container's choice of webapps: when false, nothing else was resolved. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Why the container's {@code consul.webapps.include} or {@code consul.webapps.exclude} leaves this
     * webapp out (then {@link #enabled()} is false), or empty.
     */
    public Optional<String> leftOutByContainer() {
        return Optional.ofNullable(leftOut);
    }

    /**
     * {@code consul.fail-webapp-on-error}, read leniently from the same sources, for when the other
     * settings could not be resolved: anything but {@code true} is false.
     */
    public static boolean failsWebappOnError(Map<String, String> contextParams, Map<String, String> containerSettings,
            Function<String, String> systemProperties) {
        Found found = new SettingSources(contextParams, containerSettings, systemProperties, Map.of())
                .find(Setting.FAIL_WEBAPP_ON_ERROR);
        return found != null && found.value().equalsIgnoreCase("true");
    }

    /** {@code consul.agent}: the agents, as {@link ConsulClient.Builder#agents(String)} takes them. */
    public String agents() {
        return agents;
    }

    /** Where {@link #agents()} came from: a context-param, a Valve attribute, an environment variable or the default. */
    public String agentsOrigin() {
        return agentsOrigin;
    }

    /** {@code consul.token}, or the content of {@code consul.token-file}. */
    public Optional<String> token() {
        return Optional.ofNullable(token);
    }

    /** {@code consul.consistency-mode}. */
    public ConsistencyMode consistencyMode() {
        return consistencyMode;
    }

    /** {@code consul.datacenter}; the agent's own when empty. */
    public Optional<String> datacenter() {
        return Optional.ofNullable(datacenter);
    }

    /** {@code consul.service.name}, or the one derived from the context path. */
    public String serviceName() {
        return serviceName;
    }

    /** {@code consul.service.id}; {@code <name>-<host>-<port>} is made at registration when empty. */
    public Optional<String> serviceId() {
        return Optional.ofNullable(serviceId);
    }

    /** {@code consul.service.tags}. */
    public List<String> tags() {
        return tags;
    }

    /** {@code consul.service.meta}. */
    public Map<String, String> meta() {
        return meta;
    }

    /** {@code consul.service.address} when set (possibly empty); chosen at registration otherwise. */
    public Optional<String> serviceAddress() {
        return Optional.ofNullable(serviceAddress);
    }

    /** {@code consul.service.port} when set; the container's connector port otherwise. */
    public OptionalInt servicePort() {
        return servicePort == null ? OptionalInt.empty() : OptionalInt.of(servicePort);
    }

    /** {@code consul.check.mode}. */
    public CheckMode checkMode() {
        return checkMode;
    }

    /** {@code consul.check.path}, in the webapp. */
    public String checkPath() {
        return checkPath;
    }

    /** Whether {@link #checkPath()} is the default, served by consul-servlet. */
    public boolean checkPathIsDefault() {
        return checkPathDefault;
    }

    /** {@code consul.check.interval}. */
    public Duration checkInterval() {
        return checkInterval;
    }

    /** {@code consul.check.timeout}. */
    public Duration checkTimeout() {
        return checkTimeout;
    }

    /** {@code consul.check.ttl}. */
    public Duration checkTtl() {
        return checkTtl;
    }

    /** {@code consul.check.deregister-after}. */
    public Optional<Duration> deregisterAfter() {
        return deregisterAfter == null || deregisterAfter.isZero() ? Optional.empty() : Optional.of(deregisterAfter);
    }

    public InitialStatus initialStatus() {
        return initialStatus;
    }

    /** {@code consul.drain}. */
    public Duration drain() {
        return drain;
    }

    /** {@code consul.tls.*}. */
    public TlsSettings tls() {
        return tls;
    }

    /** Weights, tagged addresses, the checks' options, extra checks, namespace and partition. */
    public RegistrationOptions options() {
        return options;
    }

    /** {@code consul.client.max-response-size}, in bytes: see {@link ConsulClient.Builder#maxResponseSize(long)}. */
    public long maxResponseSize() {
        return maxResponseSize;
    }

    /** {@code consul.client.max-watch-response-size}, in bytes: see {@link ConsulClient.Builder#maxWatchResponseSize(long)}. */
    public long maxWatchResponseSize() {
        return maxWatchResponseSize;
    }

    /** {@code consul.client.strict-answers}: see {@link ConsulClient.Builder#strictAnswers(boolean)}. */
    public boolean strictAnswers() {
        return strictAnswers;
    }

    /**
     * Whether the container keeps some of the agent, token and TLS settings for itself
     * ({@code consul.webapp-overrides}): the webapp's context-params could not set them.
     */
    public boolean containerLocked() {
        return containerLocked;
    }

    /**
     * What is usable but risky (a token sent in clear text, a token file every user may read...),
     * one line each naming the setting and where it came from, never the token: to log once.
     */
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "ConsulSettings{enabled=false}";
        }
        return "ConsulSettings{agents=" + agents + ", token=" + (token == null ? "none" : "(hidden)")
                + ", consistencyMode=" + consistencyMode + ", datacenter=" + datacenter
                + ", serviceName=" + serviceName + ", serviceId=" + serviceId + ", tags=" + tags
                + ", meta=" + meta + ", serviceAddress=" + serviceAddress + ", servicePort=" + servicePort
                + ", checkMode=" + checkMode + ", checkPath=" + checkPath + ", checkInterval=" + checkInterval
                + ", checkTimeout=" + checkTimeout + ", checkTtl=" + checkTtl
                + ", deregisterAfter=" + deregisterAfter + ", initialStatus=" + initialStatus + ", drain=" + drain + ", tls=" + tls
                + ", maxResponseSize=" + maxResponseSize + ", maxWatchResponseSize=" + maxWatchResponseSize + ", strictAnswers=" + strictAnswers + ", options=" + options + "}";
    }
}
