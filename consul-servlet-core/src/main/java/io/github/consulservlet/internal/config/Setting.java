package io.github.consulservlet.internal.config;

import java.util.Arrays;
import java.util.Optional;

/** Every setting, with its default and the Consul environment variable that may give it. */
enum Setting {
    ENABLED("consul.enabled", "true", null),
    AGENT("consul.agent", "http://127.0.0.1:8500", "CONSUL_HTTP_ADDR"),
    TOKEN("consul.token", null, "CONSUL_HTTP_TOKEN"),
    TOKEN_FILE("consul.token-file", null, "CONSUL_HTTP_TOKEN_FILE"),
    CONSISTENCY_MODE("consul.consistency-mode", "default", null),
    DATACENTER("consul.datacenter", null, null),
    SERVICE_NAME("consul.service.name", null, null),
    SERVICE_ID("consul.service.id", null, null),
    SERVICE_TAGS("consul.service.tags", "", null),
    SERVICE_META("consul.service.meta", "", null),
    SERVICE_ADDRESS("consul.service.address", null, null),
    SERVICE_PORT("consul.service.port", null, null),
    CHECK_MODE("consul.check.mode", "http", null),
    CHECK_PATH("consul.check.path", "/consul/health", null),
    CHECK_INTERVAL("consul.check.interval", "10s", null),
    CHECK_TIMEOUT("consul.check.timeout", "5s", null),
    CHECK_TTL("consul.check.ttl", "30s", null),
    CHECK_DEREGISTER_AFTER("consul.check.deregister-after", null, null),
    DRAIN("consul.drain", "5s", null),
    TLS_CA_FILE("consul.tls.ca-file", null, "CONSUL_CACERT"),
    TLS_CLIENT_CERT("consul.tls.client-cert", null, "CONSUL_CLIENT_CERT"),
    TLS_CLIENT_KEY("consul.tls.client-key", null, "CONSUL_CLIENT_KEY"),
    TLS_VERIFY("consul.tls.verify", "true", "CONSUL_HTTP_SSL_VERIFY"),
    MAX_RESPONSE_SIZE("consul.client.max-response-size", "8MiB", null),
    MAX_WATCH_RESPONSE_SIZE("consul.client.max-watch-response-size", "64MiB", null),
    /** Container-level only: which of the {@link #CONNECTION} settings a webapp's context-params may set. */
    WEBAPP_OVERRIDES("consul.webapp-overrides", null, null);

    /**
     * What says where the webapps' requests go and with which credentials: the settings a
     * container that configures its agent or token keeps for itself (see {@link ContainerLock}).
     */
    static final java.util.Set<Setting> CONNECTION = java.util.Collections.unmodifiableSet(java.util.EnumSet.of(
            AGENT, TOKEN, TOKEN_FILE, TLS_CA_FILE, TLS_CLIENT_CERT, TLS_CLIENT_KEY, TLS_VERIFY));

    final String key;
    final String defaultValue;
    final String environmentVariable;

    Setting(String key, String defaultValue, String environmentVariable) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.environmentVariable = environmentVariable;
    }

    static Optional<Setting> byKey(String key) {
        return Arrays.stream(values()).filter(s -> s.key.equals(key)).findFirst();
    }
}
