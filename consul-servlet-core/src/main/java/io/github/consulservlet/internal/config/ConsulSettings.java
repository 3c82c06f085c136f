package io.github.consulservlet.internal.config;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * in {@link Setting}. Immutable; {@link #toString()} never shows the token.
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

    private final boolean enabled;
    private final String agents;
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
    private final Duration drain;
    private final TlsSettings tls;
    private final long maxResponseSize;
    private final long maxWatchResponseSize;
    private final boolean containerLocked;
    private final List<String> warnings;

    private ConsulSettings(Resolver r) {
        this.enabled = r.enabled;
        this.agents = r.agents;
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
        this.drain = r.drain;
        this.tls = r.tls;
        this.maxResponseSize = r.maxResponseSize;
        this.maxWatchResponseSize = r.maxWatchResponseSize;
        this.containerLocked = r.lock.locked();
        this.warnings = List.copyOf(r.warnings);
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
        Resolver resolver = new Resolver(contextPath, contextParams, containerSettings, systemProperties, environment);
        resolver.resolve();
        if (!resolver.problems.isEmpty()) {
            throw new InvalidSettingsException(resolver.problems);
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

    /** {@code consul.enabled}: when false, nothing else was resolved. */
    public boolean enabled() {
        return enabled;
    }

    /** {@code consul.agent}: the agents, as {@link ConsulClient.Builder#agents(String)} takes them. */
    public String agents() {
        return agents;
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
        return Optional.ofNullable(deregisterAfter);
    }

    /** {@code consul.drain}. */
    public Duration drain() {
        return drain;
    }

    /** {@code consul.tls.*}. */
    public TlsSettings tls() {
        return tls;
    }

    /** {@code consul.client.max-response-size}, in bytes: see {@link ConsulClient.Builder#maxResponseSize(long)}. */
    public long maxResponseSize() {
        return maxResponseSize;
    }

    /** {@code consul.client.max-watch-response-size}, in bytes: see {@link ConsulClient.Builder#maxWatchResponseSize(long)}. */
    public long maxWatchResponseSize() {
        return maxWatchResponseSize;
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
                + ", deregisterAfter=" + deregisterAfter + ", drain=" + drain + ", tls=" + tls
                + ", maxResponseSize=" + maxResponseSize + ", maxWatchResponseSize=" + maxWatchResponseSize + "}";
    }

    /** One value as found, with where it was found, for error messages. */
    record Found(Setting<?> setting, String value, String origin, int level) {
        /** The setting, its value (never a secret one's) and where it came from: how every problem starts. */
        String describe() {
            return setting.key + (setting.secret() ? "" : " '" + value + "'") + " (" + origin + ")";
        }
    }

    /**
     * Finds each setting at the first level that has it and parses it with its {@link Setting}'s
     * type, collecting every problem; what is more than one setting's value (the agent with
     * {@code CONSUL_HTTP_SSL}, the token or its file, the TLS key pair) is put together here.
     */
    private static final class Resolver {
        private static final String[] LEVELS = {"context-param", "container setting", "system property", "environment", "default"};

        private final String contextPath;
        private final Map<String, String> contextParams;
        private final Map<String, String> containerSettings;
        private final Function<String, String> systemProperties;
        private final Map<String, String> environment;
        private final List<String> problems = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();
        private ContainerLock lock;

        boolean enabled;
        String agents;
        String token;
        ConsistencyMode consistencyMode;
        String datacenter;
        String serviceName;
        String serviceId;
        List<String> tags = List.of();
        Map<String, String> meta = Map.of();
        String serviceAddress;
        Integer servicePort;
        CheckMode checkMode;
        String checkPath;
        boolean checkPathDefault;
        Duration checkInterval;
        Duration checkTimeout;
        Duration checkTtl;
        Duration deregisterAfter;
        Duration drain;
        TlsSettings tls;
        long maxResponseSize;
        long maxWatchResponseSize;
        private Found agentFound;
        private Found verifyFound;

        Resolver(String contextPath, Map<String, String> contextParams, Map<String, String> containerSettings,
                Function<String, String> systemProperties, Map<String, String> environment) {
            this.contextPath = Objects.requireNonNull(contextPath, "contextPath");
            this.contextParams = Objects.requireNonNull(contextParams, "contextParams");
            this.containerSettings = Objects.requireNonNull(containerSettings, "containerSettings");
            this.systemProperties = Objects.requireNonNull(systemProperties, "systemProperties");
            this.environment = Objects.requireNonNull(environment, "environment");
        }

        void resolve() {
            unknownSettings(contextParams, LEVELS[0]);
            unknownSettings(containerSettings, LEVELS[1]);
            lock = new ContainerLock(contextParams, containerSettings, systemProperties);
            Boolean on = value(Setting.ENABLED);
            enabled = on == null || on;
            if (!enabled || on == null) {
                return;
            }
            problems.addAll(lock.problems());
            agents();
            token();
            consistencyMode = value(Setting.CONSISTENCY_MODE);
            datacenter = value(Setting.DATACENTER);
            serviceName();
            serviceId = value(Setting.SERVICE_ID);
            tags = value(Setting.SERVICE_TAGS);
            meta = value(Setting.SERVICE_META);
            serviceAddress = value(Setting.SERVICE_ADDRESS);
            servicePort = value(Setting.SERVICE_PORT);
            checkMode = value(Setting.CHECK_MODE);
            Found path = find(Setting.CHECK_PATH);
            checkPath = parse(Setting.CHECK_PATH, path);
            checkPathDefault = path.level == 4;
            checkInterval = value(Setting.CHECK_INTERVAL);
            checkTimeout = value(Setting.CHECK_TIMEOUT);
            checkTtl = value(Setting.CHECK_TTL);
            deregisterAfter = value(Setting.CHECK_DEREGISTER_AFTER);
            drain = value(Setting.DRAIN);
            tls();
            maxResponseSize = orElse(value(Setting.MAX_RESPONSE_SIZE), 0L);
            maxWatchResponseSize = orElse(value(Setting.MAX_WATCH_RESPONSE_SIZE), 0L);
            if (token != null && agents != null) {
                warnings.addAll(TokenExposure.warnings(agents, agentFound.origin, tls.verify(),
                        verifyFound == null ? LEVELS[4] : verifyFound.origin));
            }
        }

        /** The setting's value where it is found, null where it is not or cannot be used (a problem then). */
        private <T> T value(Setting<T> setting) {
            return parse(setting, find(setting));
        }

        private <T> T parse(Setting<T> setting, Found found) {
            return found == null ? null : parse(setting, found, found.value);
        }

        /** {@code text} is what {@code found} stands for, which may be more than its value (an agent with https added). */
        private <T> T parse(Setting<T> setting, Found found, String text) {
            try {
                return setting.type.parse(text);
            } catch (ValueType.Refused e) {
                problems.add(found.describe() + " " + e.getMessage() + "; expected " + setting.accepted());
                return null;
            }
        }

        private static <T> T orElse(T value, T fallback) {
            return value == null ? fallback : value;
        }

        /**
         * The first of context param, container setting, system property, environment, default;
         * a context param only where the container lets webapps set the setting.
         */
        private Found find(Setting<?> setting) {
            String value = lock.webappMaySet(setting) ? contextParams.get(setting.key) : null;
            if (value != null) {
                return new Found(setting, value.strip(), LEVELS[0], 0);
            }
            value = containerSettings.get(setting.key);
            if (value != null) {
                return new Found(setting, value.strip(), LEVELS[1], 1);
            }
            value = systemProperties.apply(setting.key);
            if (value != null) {
                return new Found(setting, value.strip(), LEVELS[2], 2);
            }
            if (setting.environmentVariable != null) {
                value = environment.get(setting.environmentVariable);
                if (value != null && !value.isBlank()) {
                    return new Found(setting, value.strip(), "environment variable " + setting.environmentVariable, 3);
                }
            }
            return setting.defaultValue == null ? null : new Found(setting, setting.defaultValue, LEVELS[4], 4);
        }

        private void unknownSettings(Map<String, String> settings, String origin) {
            for (String key : settings.keySet()) {
                if (key.startsWith("consul.") && Setting.byKey(key).isEmpty()) {
                    problems.add(key + " (" + origin + ") is not a consul-servlet setting; expected "
                            + closest(key).map(s -> s.key + " or another").orElse("one") + " of the settings in docs/configuration.md");
                }
            }
        }

        private static Optional<Setting<?>> closest(String key) {
            return Setting.values().stream()
                    .filter(s -> distance(s.key, key) <= 3)
                    .min((a, b) -> Integer.compare(distance(a.key, key), distance(b.key, key)));
        }

        private static int distance(String a, String b) {
            int[] previous = new int[b.length() + 1];
            int[] current = new int[b.length() + 1];
            for (int j = 0; j <= b.length(); j++) {
                previous[j] = j;
            }
            for (int i = 1; i <= a.length(); i++) {
                current[0] = i;
                for (int j = 1; j <= b.length(); j++) {
                    int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                    current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
                }
                int[] swap = previous;
                previous = current;
                current = swap;
            }
            return previous[b.length()];
        }

        private void agents() {
            Found found = find(Setting.AGENT);
            agentFound = found;
            String value = found.value;
            Found ssl = found.level >= 3 ? sslFromEnvironment() : null;
            if (ssl != null && Boolean.parseBoolean(ssl.value)) {
                // as Consul's CLI reads CONSUL_HTTP_SSL with CONSUL_HTTP_ADDR, or with its default address
                value = found.level == 4 ? "https://127.0.0.1:8500" : value.contains("://") ? value : "https://" + value;
            }
            agents = parse(Setting.AGENT, found, value);
        }

        private Found sslFromEnvironment() {
            String value = environment.get("CONSUL_HTTP_SSL");
            if (value == null || value.isBlank()) {
                return null;
            }
            Found found = new Found(Setting.AGENT, value.strip().toLowerCase(Locale.ROOT), "environment variable CONSUL_HTTP_SSL", 3);
            if (!found.value.equals("true") && !found.value.equals("false")) {
                problems.add("CONSUL_HTTP_SSL '" + value.strip() + "' is not a boolean; expected true or false");
                return null;
            }
            return found;
        }

        /**
         * The token from whichever of token and token file is found first; at one level the token
         * wins. A webapp that names its own agent must bring its own token: one set for the
         * container (or the JVM) is only sent to the agents set there.
         */
        private void token() {
            Found direct = find(Setting.TOKEN);
            Found file = find(Setting.TOKEN_FILE);
            Found chosen = direct != null && (file == null || direct.level <= file.level) ? direct : file;
            if (chosen == null) {
                return;
            }
            if (agentFound.level == 0 && chosen.level > 0) {
                problems.add(Setting.AGENT.key + " '" + agentFound.value + "' (context-param) is the webapp's own agent, and "
                        + chosen.setting.key + " (" + chosen.origin + ") is only sent to the agents set there; expected the"
                        + " webapp's own consul.token or consul.token-file context-param (an empty consul.token for none)");
            } else if (chosen == direct) {
                String parsed = parse(Setting.TOKEN, direct);
                if (parsed == null) {
                    return;
                }
                if (looksLikePath(parsed)) {
                    warnings.add(direct.describe() + " looks like a file path, and is sent as the token itself; expected the"
                            + " token, or consul.token-file to read it from that file (the value is not shown)");
                }
                token = parsed.isEmpty() ? null : parsed;
            } else {
                tokenFile(file);
            }
        }

        private void tokenFile(Found file) {
            Path path = parse(Setting.TOKEN_FILE, file);
            if (path == null) {
                return;
            }
            String accepted = Setting.TOKEN_FILE.accepted();
            try {
                String content = TokenFile.read(path);
                if (content.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
                    problem(file, "holds more than one line", accepted);
                    return;
                }
                if (TokenFile.worldReadable(path)) {
                    warnings.add(file.describe() + " is readable by every user of this machine; expected permissions"
                            + " such as 0600 or 0640");
                }
                token = content.isEmpty() ? null : content;
            } catch (TokenFile.Unusable e) {
                problem(file, e.getMessage(), accepted);
            } catch (IOException e) {
                problem(file, "cannot be read (" + e.getClass().getSimpleName() + ")", accepted);
            }
        }

        private void problem(Found found, String what, String accepted) {
            problems.add(found.describe() + " " + what + "; expected " + accepted);
        }

        /** A token such as {@code /etc/consul/token}: meant for consul.token-file, surely. */
        private static boolean looksLikePath(String value) {
            return value.startsWith("/") || value.startsWith("./") || value.startsWith("../") || value.startsWith("~/")
                    || value.matches("[A-Za-z]:[\\\\/].*");
        }

        private void serviceName() {
            Found found = find(Setting.SERVICE_NAME);
            if (found == null) {
                String derived = contextPath.isEmpty() || contextPath.equals("/") ? "root"
                        : contextPath.substring(1).replace('/', '-');
                found = new Found(Setting.SERVICE_NAME, derived, "derived from the context path '" + contextPath + "'", 4);
            }
            serviceName = parse(Setting.SERVICE_NAME, found);
        }

        /** The CA, and the client certificate with its key: each of the pair names the other when it is alone. */
        private void tls() {
            TlsSettings.Builder builder = TlsSettings.builder();
            verifyFound = find(Setting.TLS_VERIFY);
            Boolean verify = parse(Setting.TLS_VERIFY, verifyFound);
            Path ca = value(Setting.TLS_CA_FILE);
            if (ca != null) {
                builder.caFile(ca);
            }
            Found cert = find(Setting.TLS_CLIENT_CERT);
            Found key = find(Setting.TLS_CLIENT_KEY);
            if (cert != null && key == null) {
                problems.add(Setting.TLS_CLIENT_KEY.key + " is not set; expected the PEM key of "
                        + Setting.TLS_CLIENT_CERT.key + " '" + cert.value + "' (" + cert.origin + ")");
            } else if (key != null && cert == null) {
                problems.add(Setting.TLS_CLIENT_CERT.key + " is not set; expected the PEM certificate of "
                        + Setting.TLS_CLIENT_KEY.key + " '" + key.value + "' (" + key.origin + ")");
            } else if (cert != null) {
                Path certPath = parse(Setting.TLS_CLIENT_CERT, cert);
                Path keyPath = parse(Setting.TLS_CLIENT_KEY, key);
                if (certPath != null && keyPath != null) {
                    builder.clientCertificate(certPath, keyPath);
                }
            }
            builder.verify(verify == null || verify);
            tls = builder.build();
        }
    }
}
