package io.github.consulservlet.internal.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The container-locked mode. The webapps of one container do not fully trust each other: where
 * the container configured the agent or the token (a Tomcat Valve attribute, a Jetty property),
 * a webapp's context-params must not send the container's requests, its token or its TLS
 * elsewhere. So the {@link Setting#CONNECTION} settings are then the container's, unless it lists
 * them in {@code consul.webapp-overrides}. A webapp allowed its own agent may bring its own
 * token with it: the container's token never goes to a webapp's agent (see
 * {@link CombinedSettings#token()}).
 */
final class ContainerLock {
    static final String LEVEL = "container setting";
    private static final Set<Setting<?>> CONNECTION = Set.copyOf(Setting.CONNECTION);

    private final Set<Setting<?>> locked;
    private final boolean ownAgent;
    private final List<String> problems = new ArrayList<>();

    ContainerLock(Map<String, String> contextParams, Map<String, String> containerSettings, String containerOrigin,
            Function<String, String> systemProperties) {
        String key = Setting.WEBAPP_OVERRIDES.key;
        for (String param : contextParams.keySet()) {
            Setting<?> setting = Setting.byKey(param).orElse(null);
            if (setting != null && !setting.webappMaySet()) {
                problems.add(setting.key + " '" + contextParams.get(setting.key).strip() + "' (context-param) is the container's"
                        + " to set; expected it on the Tomcat ConsulValve (" + setting.valveAttribute() + ") or in Jetty's"
                        + " start.d/consul.ini, not in a webapp");
            }
        }
        String value = containerSettings.get(key);
        String origin = containerOrigin;
        if (value == null) {
            value = systemProperties.apply(key);
            origin = "system property";
        }
        if (value != null) {
            locked = parse(value.strip(), origin);
        } else {
            boolean configured = containerSettings.get(Setting.AGENT.key) != null
                    || containerSettings.get(Setting.TOKEN.key) != null || containerSettings.get(Setting.TOKEN_FILE.key) != null;
            locked = configured ? CONNECTION : Set.of();
        }
        ownAgent = contextParams.containsKey(Setting.AGENT.key) && !locked.contains(Setting.AGENT);
        for (Setting<?> setting : Setting.CONNECTION) {
            String param = contextParams.get(setting.key);
            if (param != null && !webappMaySet(setting)) {
                problems.add(setting.key + (setting.secret() ? "" : " '" + param.strip() + "'")
                        + " (context-param) cannot be set by a webapp: the container configures its webapps' agent or token"
                        + " and keeps " + setting.key + " for itself; expected no such context-param, or " + setting.key
                        + " in the container setting " + key);
            }
        }
    }

    /** Whether the webapp's own context-param of {@code setting} is read. */
    boolean webappMaySet(Setting<?> setting) {
        if (!setting.webappMaySet()) {
            return false;
        }
        return !locked.contains(setting) || ownAgent && (setting == Setting.TOKEN || setting == Setting.TOKEN_FILE);
    }

    /** Whether any connection setting is the container's alone. */
    boolean locked() {
        return !locked.isEmpty();
    }

    List<String> problems() {
        return problems;
    }

    /** The settings {@code value} of {@code consul.webapp-overrides} leaves to the container. */
    private Set<Setting<?>> parse(String value, String origin) {
        Set<Setting<?>> result = new LinkedHashSet<>(Setting.CONNECTION);
        try {
            result.removeAll(Setting.WEBAPP_OVERRIDES.type.parse(value));
        } catch (ValueType.Refused e) {
            problems.add(Setting.WEBAPP_OVERRIDES.key + " '" + value + "' (" + origin + ") " + e.getMessage()
                    + "; expected " + Setting.WEBAPP_OVERRIDES.accepted());
            // as far as the list could be read: the settings it named before the wrong one are the webapps'
            for (String name : value.split(",", -1)) {
                Setting<?> named = Setting.byKey(name.strip()).orElse(null);
                if (!result.remove(named)) {
                    break;
                }
            }
        }
        return result;
    }
}
