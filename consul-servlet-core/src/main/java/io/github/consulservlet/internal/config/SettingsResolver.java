package io.github.consulservlet.internal.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.github.consulservlet.ConsistencyMode;
import io.github.consulservlet.internal.client.tls.TlsSettings;
import io.github.consulservlet.internal.config.ConsulSettings.CheckMode;
import io.github.consulservlet.internal.config.ConsulSettings.InitialStatus;

/**
 * Resolves one webapp's settings: each setting from its {@link SettingSources sources}, parsed
 * with its {@link Setting}'s type, in the order of the declarations, collecting every problem
 * instead of stopping at the first. What is more than one setting's value it leaves to
 * {@link CombinedSettings}. {@link ConsulSettings#resolve} makes one, runs it, and copies its
 * fields when it found no problem.
 */
final class SettingsResolver {
    private final String contextPath;
    private final SettingSources sources;
    private final SettingParser parser = new SettingParser();
    private final CombinedSettings combined;

    boolean enabled;
    String leftOut;
    String agents;
    String agentsOrigin;
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
    InitialStatus initialStatus;
    Duration drain;
    TlsSettings tls;
    long maxResponseSize;
    long maxWatchResponseSize;
    boolean strictAnswers;
    RegistrationOptions options;

    SettingsResolver(String contextPath, SettingSources sources) {
        this.contextPath = Objects.requireNonNull(contextPath, "contextPath");
        this.sources = sources;
        this.combined = new CombinedSettings(sources, parser);
    }

    /**
     * Resolves every setting; when {@code consul.enabled} is false (or unusable), or the container
     * leaves the webapp out ({@link WebappSelection}), nothing else.
     */
    void resolve() {
        UnknownSettings.check(sources.contextParams(), SettingSources.CONTEXT_PARAM, parser);
        UnknownSettings.check(sources.containerSettings(), sources.containerOrigin(), parser);
        Boolean on = value(Setting.ENABLED);
        enabled = on == null || on;
        if (!enabled || on == null) {
            return;
        }
        List<String> include = value(Setting.WEBAPPS_INCLUDE);
        List<String> exclude = value(Setting.WEBAPPS_EXCLUDE);
        if (include == null || exclude == null) {
            return;
        }
        leftOut = WebappSelection.leftOut(contextPath, include, exclude).orElse(null);
        if (leftOut != null) {
            enabled = false;
            return;
        }
        value(Setting.FAIL_WEBAPP_ON_ERROR); // read by ConsulSettings#failsWebappOnError; checked here
        parser.problems(sources.lock().problems());
        connection();
        service();
        check();
        drain = value(Setting.DRAIN);
        options = options();
        tls = combined.tls();
        maxResponseSize = orZero(value(Setting.MAX_RESPONSE_SIZE));
        maxWatchResponseSize = orZero(value(Setting.MAX_WATCH_RESPONSE_SIZE));
        strictAnswers = Boolean.TRUE.equals(value(Setting.STRICT_ANSWERS));
        combined.warnOfTokenExposure(token, agents, tls);
    }

    private void connection() {
        agents = combined.agents();
        agentsOrigin = combined.agentsOrigin();
        token = combined.token();
        consistencyMode = value(Setting.CONSISTENCY_MODE);
        datacenter = value(Setting.DATACENTER);
    }

    private void service() {
        serviceName = combined.serviceName(contextPath);
        serviceId = value(Setting.SERVICE_ID);
        tags = value(Setting.SERVICE_TAGS);
        meta = value(Setting.SERVICE_META);
        serviceAddress = value(Setting.SERVICE_ADDRESS);
        servicePort = value(Setting.SERVICE_PORT);
    }

    private void check() {
        checkMode = value(Setting.CHECK_MODE);
        Found path = sources.find(Setting.CHECK_PATH);
        checkPath = parser.parse(Setting.CHECK_PATH, path);
        checkPathDefault = path.isDefault();
        checkInterval = value(Setting.CHECK_INTERVAL);
        checkTimeout = value(Setting.CHECK_TIMEOUT);
        checkTtl = value(Setting.CHECK_TTL);
        deregisterAfter = value(Setting.CHECK_DEREGISTER_AFTER);
        initialStatus = value(Setting.CHECK_INITIAL_STATUS);
    }

    private RegistrationOptions options() {
        return new RegistrationOptions(Optional.ofNullable(value(Setting.SERVICE_WEIGHTS)),
                orEmpty(value(Setting.SERVICE_TAGGED_ADDRESSES)), Boolean.TRUE.equals(value(Setting.SERVICE_ENABLE_TAG_OVERRIDE)),
                Optional.ofNullable(value(Setting.CHECK_METHOD)), orEmpty(value(Setting.CHECK_HEADER)),
                Boolean.TRUE.equals(value(Setting.CHECK_TLS_SKIP_VERIFY)), Optional.ofNullable(value(Setting.CHECK_TLS_SERVER_NAME)),
                orZero(value(Setting.CHECK_SUCCESS_BEFORE_PASSING)), orZero(value(Setting.CHECK_FAILURES_BEFORE_CRITICAL)),
                Optional.ofNullable(value(Setting.CHECK_NOTES)), Optional.ofNullable(value(Setting.CHECK_EXTRA_HTTP_PATH)),
                Boolean.TRUE.equals(value(Setting.CHECK_EXTRA_TCP)), Optional.ofNullable(value(Setting.CHECK_EXTRA_TTL)),
                Optional.ofNullable(value(Setting.NAMESPACE)), Optional.ofNullable(value(Setting.PARTITION)));
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    /** Every setting that cannot be used, one sentence each; empty when the settings may be used. */
    List<String> problems() {
        return parser.problems();
    }

    List<String> warnings() {
        return parser.warnings();
    }

    boolean containerLocked() {
        return sources.lock().locked();
    }

    /** The setting's value where it is found, null where it is not or cannot be used (a problem then). */
    private <T> T value(Setting<T> setting) {
        return parser.parse(setting, sources.find(setting));
    }

    private static long orZero(Long value) {
        return value == null ? 0L : value;
    }
}
