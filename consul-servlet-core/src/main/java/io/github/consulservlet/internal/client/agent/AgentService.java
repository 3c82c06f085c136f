package io.github.consulservlet.internal.client.agent;

import java.util.List;
import java.util.Map;

/**
 * A service instance as the local agent knows it ({@code /v1/agent/services}).
 *
 * @param id the instance ID
 * @param name the service name
 * @param tags its tags
 * @param meta its metadata
 * @param address its address, empty when it uses the node's
 * @param port its port
 */
public record AgentService(String id, String name, List<String> tags, Map<String, String> meta,
        String address, int port) {

    /** Copies the collections. */
    public AgentService {
        tags = List.copyOf(tags);
        meta = Map.copyOf(meta);
    }
}
