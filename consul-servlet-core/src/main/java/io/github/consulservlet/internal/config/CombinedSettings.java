package io.github.consulservlet.internal.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import io.github.consulservlet.internal.client.tls.TlsSettings;

/**
 * The values that are more than one setting's: the agent with {@code CONSUL_HTTP_SSL}, the token
 * from {@code consul.token} or {@code consul.token-file} (and the rule that a webapp naming its
 * own agent brings its own token), the TLS certificate with its key, the service name derived
 * from the context path, and the warnings for a token others may read. {@link SettingsResolver}
 * calls each once, the agent first (the token's rule depends on where the agent came from).
 */
final class CombinedSettings {
    private static final String SSL_VARIABLE = "CONSUL_HTTP_SSL";

    private final SettingSources sources;
    private final SettingParser parser;
    private Found agentFound;
    private Found verifyFound;

    CombinedSettings(SettingSources sources, SettingParser parser) {
        this.sources = sources;
        this.parser = parser;
    }

    /** {@code consul.agent}, with https where Consul's CLI would use it; null when it cannot be used. */
    String agents() {
        Found found = sources.find(Setting.AGENT);
        agentFound = found;
        String value = found.value();
        Boolean ssl = SettingSources.fromEnvironmentOrDefault(found) ? sslFromEnvironment() : null;
        if (ssl != null && ssl) {
            // as Consul's CLI reads CONSUL_HTTP_SSL with CONSUL_HTTP_ADDR, or with its default address
            value = found.isDefault() ? "https://127.0.0.1:8500" : value.contains("://") ? value : "https://" + value;
        }
        return parser.parse(Setting.AGENT, found, value);
    }

    /** Where {@code consul.agent} came from, as every warning about the agent names it. Call after {@link #agents()}. */
    String agentsOrigin() {
        return agentFound.origin();
    }

    /** {@code CONSUL_HTTP_SSL}, or null when it is unset or not a boolean (a problem then). */
    private Boolean sslFromEnvironment() {
        String value = sources.environmentVariable(SSL_VARIABLE);
        if (value == null) {
            return null;
        }
        String lower = value.toLowerCase(Locale.ROOT);
        if (!lower.equals("true") && !lower.equals("false")) {
            parser.problem(SSL_VARIABLE + " '" + value + "' is not a boolean; expected true or false");
            return null;
        }
        return Boolean.parseBoolean(lower);
    }

    /**
     * The token from whichever of token and token file is found first; at one level the token
     * wins. A webapp that names its own agent must bring its own token: one set for the
     * container (or the JVM) is only sent to the agents set there. Null for none, or when it
     * cannot be used (a problem then). Call after {@link #agents()}.
     */
    String token() {
        Found direct = sources.find(Setting.TOKEN);
        Found file = sources.find(Setting.TOKEN_FILE);
        Found chosen = direct != null && (file == null || direct.level() <= file.level()) ? direct : file;
        if (chosen == null) {
            return null;
        }
        if (agentFound.level() == 0 && chosen.level() > 0) {
            parser.problem(Setting.AGENT.key + " '" + agentFound.value() + "' (context-param) is the webapp's own agent,"
                    + " and " + chosen.setting().key + " (" + chosen.origin() + ") is only sent to the agents set there;"
                    + " expected the webapp's own consul.token or consul.token-file context-param (an empty consul.token"
                    + " for none)");
            return null;
        }
        return chosen == direct ? directToken(direct) : tokenFile(file);
    }

    private String directToken(Found direct) {
        String parsed = parser.parse(Setting.TOKEN, direct);
        if (parsed == null) {
            return null;
        }
        if (looksLikePath(parsed)) {
            parser.warning(direct.describe() + " looks like a file path, and is sent as the token itself; expected the"
                    + " token, or consul.token-file to read it from that file (the value is not shown)");
        }
        return parsed.isEmpty() ? null : parsed;
    }

    private String tokenFile(Found file) {
        Path path = parser.parse(Setting.TOKEN_FILE, file);
        if (path == null) {
            return null;
        }
        String accepted = Setting.TOKEN_FILE.accepted();
        try {
            String content = TokenFile.read(path);
            if (content.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
                parser.problem(file, "holds more than one line", accepted);
                return null;
            }
            if (TokenFile.worldReadable(path)) {
                parser.warning(file.describe() + " is readable by every user of this machine; expected permissions"
                        + " such as 0600 or 0640");
            }
            return content.isEmpty() ? null : content;
        } catch (TokenFile.Unusable e) {
            parser.problem(file, e.getMessage(), accepted);
        } catch (IOException e) {
            parser.problem(file, "cannot be read (" + e.getClass().getSimpleName() + ")", accepted);
        }
        return null;
    }

    /** A token such as {@code /etc/consul/token}: meant for consul.token-file, surely. */
    private static boolean looksLikePath(String value) {
        return value.startsWith("/") || value.startsWith("./") || value.startsWith("../") || value.startsWith("~/")
                || value.matches("[A-Za-z]:[\\\\/].*");
    }

    /**
     * {@code consul.service.name}, or the context path's: {@code root} for the root webapp, {@code /a/b} as
     * {@code a-b}. A derived name that is not a DNS label is normalised (see {@link #dnsLabel}) with a
     * warning naming both; a name the user set is taken as it is, and refused when it is no DNS label.
     */
    String serviceName(String contextPath) {
        Found found = sources.find(Setting.SERVICE_NAME);
        if (found != null) {
            return parser.parse(Setting.SERVICE_NAME, found);
        }
        String derived = contextPath.isEmpty() || contextPath.equals("/") ? "root" : contextPath.substring(1).replace('/', '-');
        String origin = "derived from the context path '" + contextPath + "'";
        String label = dnsLabel(derived);
        if (!label.equals(derived) && !label.isEmpty()) {
            parser.warning(Setting.SERVICE_NAME.key + " '" + derived + "' (" + origin + ") is not a DNS label, and is"
                    + " registered as '" + label + "'; set consul.service.name to choose the name");
        }
        return parser.parse(Setting.SERVICE_NAME, new Found(Setting.SERVICE_NAME, label.isEmpty() ? derived : label,
                origin, SettingSources.DEFAULT_LEVEL));
    }

    /**
     * {@code name} made a DNS label as Spring Cloud Consul's {@code normalizeForDns} makes one: each
     * run of characters other than letters and digits becomes one {@code -}. Where Spring refuses a
     * name that starts or ends with such a character, a derived name has no one to refuse it to, so
     * those hyphens are trimmed instead; letters are ASCII only, as DNS has them, and the label is cut
     * at 63 characters. Empty when nothing is left.
     */
    static String dnsLabel(String name) {
        StringBuilder label = new StringBuilder();
        for (char c : name.toCharArray()) {
            boolean alphanumeric = c < 0x80 && Character.isLetterOrDigit(c);
            if (alphanumeric) {
                label.append(c);
            } else if (label.length() > 0 && label.charAt(label.length() - 1) != '-') {
                label.append('-');
            }
        }
        String cut = label.length() > 63 ? label.substring(0, 63) : label.toString();
        return cut.replaceAll("-+$", "");
    }

    /** The CA, and the client certificate with its key: each of the pair names the other when it is alone. */
    TlsSettings tls() {
        TlsSettings.Builder builder = TlsSettings.builder();
        verifyFound = sources.find(Setting.TLS_VERIFY);
        Boolean verify = parser.parse(Setting.TLS_VERIFY, verifyFound);
        Path ca = parser.parse(Setting.TLS_CA_FILE, sources.find(Setting.TLS_CA_FILE));
        if (ca != null) {
            builder.caFile(ca);
        }
        clientCertificate(builder);
        builder.verify(verify == null || verify);
        return builder.build();
    }

    private void clientCertificate(TlsSettings.Builder builder) {
        Found cert = sources.find(Setting.TLS_CLIENT_CERT);
        Found key = sources.find(Setting.TLS_CLIENT_KEY);
        if (cert != null && key == null) {
            parser.problem(Setting.TLS_CLIENT_KEY.key + " is not set; expected the PEM key of "
                    + Setting.TLS_CLIENT_CERT.key + " '" + cert.value() + "' (" + cert.origin() + ")");
        } else if (key != null && cert == null) {
            parser.problem(Setting.TLS_CLIENT_CERT.key + " is not set; expected the PEM certificate of "
                    + Setting.TLS_CLIENT_KEY.key + " '" + key.value() + "' (" + key.origin() + ")");
        } else if (cert != null) {
            Path certPath = parser.parse(Setting.TLS_CLIENT_CERT, cert);
            Path keyPath = parser.parse(Setting.TLS_CLIENT_KEY, key);
            if (certPath != null && keyPath != null) {
                builder.clientCertificate(certPath, keyPath);
            }
        }
    }

    /**
     * Warns when {@code token} goes where others may read it (see {@link TokenExposure}). Call
     * after {@link #agents()} and {@link #tls()}, with what they gave.
     */
    void warnOfTokenExposure(String token, String agents, TlsSettings tls) {
        if (token != null && agents != null) {
            parser.warnings(TokenExposure.warnings(agents, agentFound.origin(), tls.verify(),
                    verifyFound == null ? SettingSources.DEFAULT : verifyFound.origin()));
        }
    }
}
