package io.github.consulservlet.internal.config;

import static io.github.consulservlet.internal.config.ListTypes.connectionSettings;
import static io.github.consulservlet.internal.config.ListTypes.list;
import static io.github.consulservlet.internal.config.ListTypes.meta;
import static io.github.consulservlet.internal.config.ValueType.agents;
import static io.github.consulservlet.internal.config.ValueType.bool;
import static io.github.consulservlet.internal.config.ValueType.duration;
import static io.github.consulservlet.internal.config.ValueType.durationOrOff;
import static io.github.consulservlet.internal.config.ValueType.host;
import static io.github.consulservlet.internal.config.ValueType.matching;
import static io.github.consulservlet.internal.config.ValueType.oneOf;
import static io.github.consulservlet.internal.config.ValueType.pemFile;
import static io.github.consulservlet.internal.config.ValueType.port;
import static io.github.consulservlet.internal.config.ValueType.size;
import static io.github.consulservlet.internal.config.ValueType.token;
import static io.github.consulservlet.internal.config.ValueType.tokenFile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.github.consulservlet.ConsistencyMode;
import io.github.consulservlet.internal.config.ConsulSettings.CheckMode;
import io.github.consulservlet.internal.config.ConsulSettings.InitialStatus;

/**
 * Every {@code consul.*} setting, each declared once, here: its name, its {@link ValueType type}
 * (which parses it and gives the accepted form of its errors), its default, the Consul
 * environment variable that may give it, where it may be set, and its help, the one sentence of
 * its row in {@code docs/configuration.md}. {@link ConsulSettings} resolves and parses from it;
 * the Tomcat valve takes its attribute names from it; tests check the docs table, the Jetty
 * module's commented defaults and {@code etc/jetty-consul.xml} against it.
 *
 * @param <T> the type of the setting's value
 */
public final class Setting<T> {
    /** Where a setting may be set; a Java system property of the same name may give any of them. */
    public enum Scope {
        /** A webapp's context-param, or the container (Valve attribute, Jetty ini property). */
        WEBAPP_AND_CONTAINER,
        /** A webapp's context-param only: the setting names one webapp. */
        WEBAPP_ONLY,
        /** The container only: the setting says what the container lets its webapps do. */
        CONTAINER_ONLY
    }

    private static final List<Setting<?>> ALL = new ArrayList<>();
    private static final Map<String, Setting<?>> BY_KEY = new HashMap<>();

    public static final Setting<Boolean> ENABLED = define("consul.enabled", bool())
            .byDefault("true")
            .help("`false`: the webapp is neither registered nor given a `ConsulContext`, and its other settings are not read.")
            .done();
    public static final Setting<String> AGENT = define("consul.agent", agents())
            .byDefault("http://127.0.0.1:8500")
            .environment("CONSUL_HTTP_ADDR", "`https` when `CONSUL_HTTP_SSL=true`")
            .connection()
            .help("The Consul agent, `host:port` or a URL; comma-separated for failover, tried in order.")
            .done();
    public static final Setting<String> TOKEN = define("consul.token", token())
            .environment("CONSUL_HTTP_TOKEN", null)
            .connection()
            .secret()
            .help("The ACL token, sent only as the `X-Consul-Token` header and never logged; a value that looks like a file"
                    + " path is warned about.")
            .done();
    public static final Setting<Path> TOKEN_FILE = define("consul.token-file", tokenFile())
            .environment("CONSUL_HTTP_TOKEN_FILE", null)
            .connection()
            .help("A file holding the ACL token, read at deploy and warned about when every user may read it; where both"
                    + " are found at one level, `consul.token` wins.")
            .done();
    public static final Setting<ConsistencyMode> CONSISTENCY_MODE = define("consul.consistency-mode", oneOf(ConsistencyMode.class))
            .byDefault("default")
            .help("The consistency of the webapp's reads: `default`, `consistent` or `stale`.")
            .done();
    public static final Setting<String> DATACENTER = define("consul.datacenter", matching("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}",
                    "is not a datacenter name", "letters, digits, '-', '_' and '.', such as dc1"))
            .documentedDefault("the agent's")
            .help("The default datacenter of the webapp's queries.")
            .done();
    public static final Setting<String> SERVICE_NAME = define("consul.service.name",
                    matching("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?", "is not a DNS label", "1 to 63 letters, digits and"
                            + " hyphens, not starting or ending with a hyphen (set consul.service.name when the"
                            + " context path does not give one)"))
            .documentedDefault("the context path without its leading `/`, inner `/` as `-` (the root context: `root`)")
            .scope(Scope.WEBAPP_ONLY)
            .help("The name of the webapp's service in Consul.")
            .done();
    public static final Setting<String> SERVICE_ID = define("consul.service.id", matching("[A-Za-z0-9._:@-]{1,256}",
                    "is not a service ID", "up to 256 letters, digits and '-', '_', '.', ':' or '@', such as shop-web1-8080"))
            .documentedDefault("`<name>-<host>-<port>`")
            .scope(Scope.WEBAPP_ONLY)
            .help("The ID of this instance, unique per instance; by default `<host>` is the advertised address, or this"
                    + " machine's name when that is empty or loopback.")
            .done();
    public static final Setting<List<String>> SERVICE_TAGS = define("consul.service.tags", list())
            .byDefault("")
            .help("The service's tags, comma-separated.")
            .done();
    public static final Setting<Map<String, String>> SERVICE_META = define("consul.service.meta", meta())
            .byDefault("")
            .help("The service's metadata, `key=value` pairs, comma-separated.")
            .done();
    public static final Setting<String> SERVICE_ADDRESS = define("consul.service.address", host())
            .documentedDefault("the connector's host when it is bound to one address; bound to all: empty when every agent is"
                    + " on loopback (Consul then advertises the node's address, as it prescribes for one agent per node),"
                    + " else this host's first address that is neither loopback nor link-local")
            .help("The address advertised, which the `http` check probes (127.0.0.1 when it is empty).")
            .done();
    public static final Setting<Integer> SERVICE_PORT = define("consul.service.port", port())
            .documentedDefault("the real port of the container's first HTTP connector")
            .help("The port advertised and probed; required in a container without an adapter.")
            .done();
    public static final Setting<CheckMode> CHECK_MODE = define("consul.check.mode", oneOf(CheckMode.class))
            .byDefault("http")
            .help("How the instance's check learns the webapp's liveness: the agent probes it (`http`), consul-servlet"
                    + " reports it (`ttl`), or no check (`none`).")
            .done();
    public static final Setting<String> CHECK_PATH = define("consul.check.path", matching(
                    "(?:/(?:[A-Za-z0-9._~!$&'()+,;=:@-]|%[0-9A-Fa-f]{2})*)+", // RFC 3986 characters, well-formed escapes
                    "is not a path", "a path in the webapp starting with /, such as /consul/health"))
            .byDefault("/consul/health")
            .documentedDefault("`/consul/health`, served by consul-servlet")
            .help("The liveness endpoint in the webapp; when one of the webapp's servlet mappings takes the path, that"
                    + " servlet answers instead.")
            .done();
    public static final Setting<Duration> CHECK_INTERVAL = define("consul.check.interval", duration(Duration.ofSeconds(1)))
            .byDefault("10s")
            .help("How often the agent probes the webapp in `http` mode.")
            .done();
    public static final Setting<Duration> CHECK_TIMEOUT = define("consul.check.timeout", duration(Duration.ofMillis(1)))
            .byDefault("5s")
            .help("How long the agent waits for the webapp's answer in `http` mode.")
            .done();
    public static final Setting<Duration> CHECK_TTL = define("consul.check.ttl", duration(Duration.ofSeconds(1)))
            .byDefault("30s")
            .help("The TTL of the check in `ttl` mode, reported every ttl/3.")
            .done();
    public static final Setting<Duration> CHECK_DEREGISTER_AFTER = define("consul.check.deregister-after",
                    durationOrOff(Duration.ofMinutes(1)))
            .byDefault("10m")
            .help("Consul's `DeregisterCriticalServiceAfter`: the agent removes an instance whose check stayed critical that"
                    + " long, such as one of a JVM killed before it could deregister; `off` keeps it for ever.")
            .done();
    public static final Setting<InitialStatus> CHECK_INITIAL_STATUS = define("consul.check.initial-status",
                    oneOf(InitialStatus.class, "status"))
            .byDefault("critical")
            .help("The status of the check from its registration until its first result, so that no one is routed to"
                    + " an instance before its first passing probe: `critical`, `warning` or `passing`.")
            .done();
    public static final Setting<Duration> DRAIN = define("consul.drain", duration(Duration.ZERO))
            .byDefault("5s")
            .help("How long, at most, a stopping webapp stays registered, in maintenance, while its requests in flight"
                    + " finish; it goes on as soon as none is left (`0` for no wait).")
            .done();
    // ---- the registration options operators expect (RegistrationOptions), one block
    public static final Setting<ServiceWeights> SERVICE_WEIGHTS = define("consul.service.weights", RegistrationTypes.weights())
            .documentedDefault("Consul's: `passing=1,warning=1`")
            .help("The instance's DNS SRV weights while its checks pass and while one warns, such as"
                    + " `passing=10,warning=1`; a weight not given is 1.")
            .done();
    public static final Setting<Map<String, TaggedAddress>> SERVICE_TAGGED_ADDRESSES = define("consul.service.tagged-addresses",
                    RegistrationTypes.taggedAddresses())
            .byDefault("")
            .help("Addresses the instance is reached at from other networks, `tag=address[:port]` comma-separated, such as"
                    + " `lan=10.0.0.5:8080,wan=203.0.113.7:80`; without a port, the service's.")
            .done();
    public static final Setting<Boolean> SERVICE_ENABLE_TAG_OVERRIDE = define("consul.service.enable-tag-override", bool())
            .byDefault("false")
            .help("Consul's `EnableTagOverride`: `true` lets tags changed in the catalog (by consul-esm, say) stay until the"
                    + " next registration.")
            .done();
    public static final Setting<String> CHECK_METHOD = define("consul.check.method", RegistrationTypes.method())
            .documentedDefault("Consul's: `GET`")
            .help("The HTTP method of the `http` checks, such as `HEAD`.")
            .done();
    public static final Setting<Map<String, List<String>>> CHECK_HEADER = define("consul.check.header", RegistrationTypes.headers())
            .byDefault("")
            .help("Headers the agent sends with the `http` checks, `Name=value` comma-separated, such as"
                    + " `Authorization=Bearer s3cr3t,X-Probe=consul`; a name given twice sends both values.")
            .done();
    public static final Setting<Boolean> CHECK_TLS_SKIP_VERIFY = define("consul.check.tls-skip-verify", bool())
            .byDefault("false")
            .help("`true`: the agent does not verify the certificate of an `https` check (one on a TLS connector).")
            .done();
    public static final Setting<String> CHECK_TLS_SERVER_NAME = define("consul.check.tls-server-name",
                    matching("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})", "is not a host name", "a host name, such as shop.example.com"))
            .help("The name the agent expects in the certificate of an `https` check (and sends as SNI), when it is not"
                    + " the probed address.")
            .done();
    public static final Setting<Integer> CHECK_SUCCESS_BEFORE_PASSING = define("consul.check.success-before-passing",
                    RegistrationTypes.count(0, 100))
            .byDefault("0")
            .help("How many successful probes in a row turn a check passing (`0`: the first).")
            .done();
    public static final Setting<Integer> CHECK_FAILURES_BEFORE_CRITICAL = define("consul.check.failures-before-critical",
                    RegistrationTypes.count(0, 100))
            .byDefault("0")
            .help("How many failed probes in a row turn a check critical (`0`: the first).")
            .done();
    public static final Setting<String> CHECK_NOTES = define("consul.check.notes", RegistrationTypes.text(1024))
            .help("Consul's `Notes` of every check of the instance: free text for whoever reads them.")
            .done();
    public static final Setting<String> CHECK_EXTRA_HTTP_PATH = define("consul.check.extra.http-path", matching(
                    "(?:/(?:[A-Za-z0-9._~!$&'()+,;=:@-]|%[0-9A-Fa-f]{2})*)+",
                    "is not a path", "a path in the webapp starting with /, such as /ready"))
            .help("A second `http` check, on this path of the webapp, probed like the first (same interval, timeout,"
                    + " method, headers); its ID is `service:<id>:http`.")
            .done();
    public static final Setting<Boolean> CHECK_EXTRA_TCP = define("consul.check.extra.tcp", bool())
            .byDefault("false")
            .help("`true` adds a TCP check on the connector's address and port, every `consul.check.interval`; its ID is"
                    + " `service:<id>:tcp`.")
            .done();
    public static final Setting<Duration> CHECK_EXTRA_TTL = define("consul.check.extra.ttl", duration(Duration.ofSeconds(1)))
            .help("Adds a TTL check that something else reports to (a batch job, a sidecar: `PUT"
                    + " /v1/agent/check/pass/service:<id>:ttl`) within this TTL; its ID is `service:<id>:ttl`.")
            .done();
    public static final Setting<String> NAMESPACE = define("consul.namespace", RegistrationTypes.enterpriseName("namespace"))
            .documentedDefault("the token's, else `default`")
            .help("Consul Enterprise: the namespace the instance is registered in, sent as `ns` on every agent call of the"
                    + " registration; an open-source agent refuses it.")
            .done();
    public static final Setting<String> PARTITION = define("consul.partition", RegistrationTypes.enterpriseName("partition"))
            .documentedDefault("the agent's")
            .help("Consul Enterprise: the admin partition of the instance, sent as `partition` on every agent call of the"
                    + " registration; an open-source agent refuses it.")
            .done();
    public static final Setting<Path> TLS_CA_FILE = define("consul.tls.ca-file", pemFile())
            .documentedDefault("the JVM's trust store")
            .environment("CONSUL_CACERT", null)
            .connection()
            .help("The CA certificate of an `https` agent.")
            .done();
    public static final Setting<Path> TLS_CLIENT_CERT = define("consul.tls.client-cert", pemFile())
            .environment("CONSUL_CLIENT_CERT", null)
            .connection()
            .help("The client certificate for the agent, with `consul.tls.client-key`.")
            .done();
    public static final Setting<Path> TLS_CLIENT_KEY = define("consul.tls.client-key", pemFile())
            .environment("CONSUL_CLIENT_KEY", null)
            .connection()
            .help("The unencrypted key of `consul.tls.client-cert` (PKCS#8, PKCS#1 or SEC1, as `consul tls cert create`"
                    + " makes it).")
            .done();
    public static final Setting<Boolean> TLS_VERIFY = define("consul.tls.verify", bool())
            .byDefault("true")
            .environment("CONSUL_HTTP_SSL_VERIFY", null)
            .connection()
            .help("`false` skips verifying the agent's certificate (tests only).")
            .done();
    public static final Setting<Long> MAX_RESPONSE_SIZE = define("consul.client.max-response-size", size())
            .byDefault("8MiB")
            .help("The most bytes one answer of the agent to a call may have, decoded; a larger one fails the call with a"
                    + " `ConsulResponseException`. Never more than an eighth of the JVM's heap, whatever is set.")
            .done();
    public static final Setting<Long> MAX_WATCH_RESPONSE_SIZE = define("consul.client.max-watch-response-size", size())
            .byDefault("64MiB")
            .help("The same for watches and recursive KV reads, which carry whole prefixes and service lists.")
            .done();
    public static final Setting<Boolean> STRICT_ANSWERS = define("consul.client.strict-answers", bool())
            .byDefault("false")
            .help("`true` fails a whole read when one entry of the agent's answer cannot be read (a value that is not"
                    + " base64, a port out of range); by default that entry is left out, with a warning naming it.")
            .done();
    /** Which of the {@link #CONNECTION} settings a webapp's context-params may set (see {@link ContainerLock}). */
    public static final Setting<List<Setting<?>>> WEBAPP_OVERRIDES = define("consul.webapp-overrides", connectionSettings())
            .documentedDefault("`none` when the container sets `consul.agent`, `consul.token` or `consul.token-file`, else `all`")
            .scope(Scope.CONTAINER_ONLY)
            .help("Which of the settings a container that sets the agent or the token keeps for itself a webapp's"
                    + " `web.xml` may still set: `all`, `none`, or some of them, comma-separated.")
            .done();

    // Which webapps a container registers, and how much a setting that cannot be used costs a webapp.
    public static final Setting<List<String>> WEBAPPS_INCLUDE = define("consul.webapps.include", WebappSelection.globs())
            .byDefault("")
            .documentedDefault("every webapp")
            .scope(Scope.CONTAINER_ONLY)
            .help("The webapps the container registers, by context path: globs, comma-separated, where `*` stands for any"
                    + " characters but `/`, `**` for any characters, and `/` for the root webapp.")
            .done();
    public static final Setting<List<String>> WEBAPPS_EXCLUDE = define("consul.webapps.exclude", WebappSelection.globs())
            .byDefault("")
            .scope(Scope.CONTAINER_ONLY)
            .help("The webapps the container does not register, in the same form, such as"
                    + " `/manager,/host-manager,/docs,/examples`; it wins over `consul.webapps.include`. An excluded webapp"
                    + " is served as usual, with no `ConsulContext`.")
            .done();
    public static final Setting<Boolean> FAIL_WEBAPP_ON_ERROR = define("consul.fail-webapp-on-error", bool())
            .byDefault("false")
            .help("`true`: a setting that cannot be used fails the webapp's deployment; by default the webapp is served,"
                    + " unregistered and without a `ConsulContext`, and one log line names the setting.")
            .done();

    /**
     * What says where the webapps' requests go and with which credentials: the settings a
     * container that configures its agent or token keeps for itself (see {@link ContainerLock}),
     * in declaration order.
     */
    static final List<Setting<?>> CONNECTION = ALL.stream().filter(s -> s.connection).toList();

    final String key;
    final ValueType<T> type;
    final String defaultValue;
    final String environmentVariable;
    private final String documentedDefault;
    private final String environmentNote;
    private final Scope scope;
    private final boolean connection;
    private final boolean secret;
    private final String help;

    private Setting(Declaration<T> d) {
        this.key = d.key;
        this.type = d.type;
        this.defaultValue = d.defaultValue;
        this.environmentVariable = d.environmentVariable;
        this.documentedDefault = d.documentedDefault;
        this.environmentNote = d.environmentNote;
        this.scope = d.scope;
        this.connection = d.connection;
        this.secret = d.secret;
        this.help = d.help;
        ALL.add(this);
        BY_KEY.put(key, this);
    }

    /** Every setting, in declaration order: the order of the docs table. */
    public static List<Setting<?>> values() {
        return Collections.unmodifiableList(ALL);
    }

    /** The setting named {@code key}, such as {@code consul.check.interval}. */
    public static Optional<Setting<?>> byKey(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    /** Its name, such as {@code consul.check.interval}: also its Jetty property and system property. */
    public String key() {
        return key;
    }

    /** The text used when nothing sets it, if any ({@code 10s}, empty for no tags). */
    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /** The default as the docs say it, in Markdown: {@code `10s`}, {@code none}, {@code the agent's}. */
    public String documentedDefault() {
        if (documentedDefault != null) {
            return documentedDefault;
        }
        return defaultValue == null || defaultValue.isEmpty() ? "none" : "`" + defaultValue + "`";
    }

    /** Consul's environment variable that gives it, if any ({@code CONSUL_HTTP_ADDR}). */
    public Optional<String> environmentVariable() {
        return Optional.ofNullable(environmentVariable);
    }

    /** What the docs add to the environment variable, in Markdown, if anything. */
    public Optional<String> environmentNote() {
        return Optional.ofNullable(environmentNote);
    }

    /** The accepted form, as its errors say it after {@code expected}. */
    public String accepted() {
        return type.accepted();
    }

    /** One sentence, in Markdown: what it does. */
    public String help() {
        return help;
    }

    public Scope scope() {
        return scope;
    }

    /** Whether a webapp's context-param may give it. */
    public boolean webappMaySet() {
        return scope != Scope.CONTAINER_ONLY;
    }

    /** Whether the container (a Valve attribute, a Jetty property) may give it. */
    public boolean containerMaySet() {
        return scope != Scope.WEBAPP_ONLY;
    }

    /** Whether a value is never shown, in errors and warnings alike. */
    boolean secret() {
        return secret;
    }

    /** Its attribute on Tomcat's {@code ConsulValve}: camelCase, {@code consul.check.deregister-after} as {@code checkDeregisterAfter}. */
    public String valveAttribute() {
        StringBuilder attribute = new StringBuilder();
        boolean upper = false;
        for (char c : key.substring("consul.".length()).toCharArray()) {
            if (c == '.' || c == '-') {
                upper = true;
            } else {
                attribute.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return attribute.toString();
    }

    @Override
    public String toString() {
        return key;
    }

    private static <T> Declaration<T> define(String key, ValueType<T> type) {
        return new Declaration<>(key, type);
    }

    /** The declaration of one setting, read as a sentence; {@link #done()} makes the setting. */
    private static final class Declaration<T> {
        private final String key;
        private final ValueType<T> type;
        private String defaultValue;
        private String documentedDefault;
        private String environmentVariable;
        private String environmentNote;
        private Scope scope = Scope.WEBAPP_AND_CONTAINER;
        private boolean connection;
        private boolean secret;
        private String help;

        Declaration(String key, ValueType<T> type) {
            this.key = key;
            this.type = type;
        }

        Declaration<T> byDefault(String value) {
            this.defaultValue = value;
            return this;
        }

        /** When the default is not a value of the setting (it is derived, or the agent's). */
        Declaration<T> documentedDefault(String markdown) {
            this.documentedDefault = markdown;
            return this;
        }

        Declaration<T> environment(String variable, String note) {
            this.environmentVariable = variable;
            this.environmentNote = note;
            return this;
        }

        Declaration<T> scope(Scope where) {
            this.scope = where;
            return this;
        }

        /** One of the {@link #CONNECTION} settings. */
        Declaration<T> connection() {
            this.connection = true;
            return this;
        }

        Declaration<T> secret() {
            this.secret = true;
            return this;
        }

        Declaration<T> help(String sentence) {
            this.help = sentence;
            return this;
        }

        Setting<T> done() {
            return new Setting<>(this);
        }
    }
}
