package io.github.consulservlet.internal.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.github.consulservlet.internal.client.AgentAddresses;

/**
 * The warnings for a token sent where others may read it: in clear text to an agent that is not
 * on loopback, or over TLS that does not check whom it talks to. Either may be set by a webapp
 * (when the container does not lock it) or by an environment variable, with nothing else in the
 * log to show it.
 */
final class TokenExposure {
    private TokenExposure() {
    }

    /**
     * @param agents the resolved {@code consul.agent}, which {@link AgentAddresses} accepted
     * @param agentOrigin where it came from
     * @param verify the resolved {@code consul.tls.verify}
     * @param verifyOrigin where that came from
     */
    static List<String> warnings(String agents, String agentOrigin, boolean verify, String verifyOrigin) {
        List<String> warnings = new ArrayList<>();
        for (URI agent : AgentAddresses.parse(agents)) {
            String host = AgentAddresses.host(agent);
            if (!agent.getScheme().equals("https") && !loopback(host)) {
                warnings.add("consul.agent '" + agents + "' (" + agentOrigin + ") sends the ACL token in clear text to "
                        + host + ", which is not loopback; expected https:// for an agent on another host");
            }
        }
        if (!verify) {
            warnings.add("consul.tls.verify 'false' (" + verifyOrigin + ") sends the ACL token to an agent whose"
                    + " certificate is not checked; expected true outside tests");
        }
        return warnings;
    }

    /** Loopback by its name alone: never looked up. */
    static boolean loopback(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.equals("localhost") || lower.endsWith(".localhost") || lower.equals("::1")
                || lower.equals("0:0:0:0:0:0:0:1") || lower.matches("127(\\.[0-9]{1,3}){3}");
    }
}
