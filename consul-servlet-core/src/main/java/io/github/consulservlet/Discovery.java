package io.github.consulservlet;

import java.util.List;
import java.util.Map;

/**
 * Service discovery: the catalog and the healthy instances of a service.
 *
 * <p>Seed helpers: {@code consul_services(dc)} is {@link #services(QueryOptions)};
 * {@code consul_service(tag, name, dc)} is {@link #service(String, String, QueryOptions)}.
 */
public interface Discovery {

    /** Every service of the catalog, by name, with the tags its instances use. */
    Map<String, List<String>> services();

    /** Every service of the catalog in the asked datacenter, by name, with their tags. */
    Map<String, List<String>> services(QueryOptions options);

    /** The instances of service {@code name} whose checks are all passing. */
    List<ServiceInstance> service(String name);

    /** The passing instances of service {@code name}, asked with {@code options}. */
    List<ServiceInstance> service(String name, QueryOptions options);

    /** The passing instances of service {@code name} that carry {@code tag}. */
    List<ServiceInstance> service(String name, String tag);

    /** The passing instances of service {@code name} that carry {@code tag}, asked with {@code options}. */
    List<ServiceInstance> service(String name, String tag, QueryOptions options);

    /** Calls {@code listener} with the passing instances of {@code name} now and at every change. */
    Watch watch(String name, WatchListener<List<ServiceInstance>> listener);

    /** As {@link #watch(String, WatchListener)}, asked with {@code options}. */
    Watch watch(String name, QueryOptions options, WatchListener<List<ServiceInstance>> listener);

    /** Calls {@code listener} with the catalog's services now and at every change. */
    Watch watchServices(WatchListener<Map<String, List<String>>> listener);
}
