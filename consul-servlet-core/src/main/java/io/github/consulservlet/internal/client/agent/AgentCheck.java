package io.github.consulservlet.internal.client.agent;

/**
 * A health check as the local agent knows it ({@code /v1/agent/checks}).
 *
 * @param id the check ID
 * @param name its name
 * @param status its status
 * @param output the output of its last run, or the note of its last TTL update
 * @param serviceId the service it belongs to, empty for a node check
 * @param serviceName that service's name
 */
public record AgentCheck(String id, String name, CheckStatus status, String output, String serviceId,
        String serviceName) {
}
