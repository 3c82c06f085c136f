package io.github.consulservlet;

import java.util.List;
import java.util.Map;

/**
 * One healthy instance of a service, as {@code /v1/health/service/:name?passing} reports it.
 *
 * @param id the instance's service ID
 * @param name the service name
 * @param address where to reach it: the service address, or the node's when the service has none
 * @param port the service port
 * @param tags the service tags
 * @param meta the service metadata
 * @param node the node the instance runs on
 * @param datacenter the node's datacenter
 */
public record ServiceInstance(String id, String name, String address, int port, List<String> tags,
        Map<String, String> meta, String node, String datacenter) {

    /** Copies the collections, so an instance never changes. */
    public ServiceInstance {
        tags = List.copyOf(tags);
        meta = Map.copyOf(meta);
    }
}
