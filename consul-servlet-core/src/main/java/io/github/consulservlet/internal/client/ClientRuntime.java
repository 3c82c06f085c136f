package io.github.consulservlet.internal.client;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

import io.github.consulservlet.ConsistencyMode;
import io.github.consulservlet.QueryOptions;
import io.github.consulservlet.internal.client.transport.Request;
import io.github.consulservlet.internal.client.transport.Response;
import io.github.consulservlet.internal.client.transport.Transport;
import io.github.consulservlet.internal.client.watch.EventDispatch;
import io.github.consulservlet.internal.client.watch.SharedWatches;

/** What every part of one {@link ConsulClient} shares: transport, threads, defaults. */
public final class ClientRuntime {
    public final Transport transport;
    public final ScheduledExecutorService scheduler;
    public final EventDispatch events;
    final String datacenter;
    final ConsistencyMode consistency;
    public final Duration readTimeout;
    public final Duration watchWait;
    public final Backoff backoff;
    final SharedWatches watches;

    ClientRuntime(Transport transport, ScheduledExecutorService scheduler, EventDispatch events,
            String datacenter, ConsistencyMode consistency, Duration readTimeout, Duration watchWait,
            Backoff backoff) {
        this(transport, scheduler, events, datacenter, consistency, readTimeout, watchWait, backoff, null);
    }

    private ClientRuntime(Transport transport, ScheduledExecutorService scheduler, EventDispatch events,
            String datacenter, ConsistencyMode consistency, Duration readTimeout, Duration watchWait,
            Backoff backoff, SharedWatches watches) {
        this.watches = watches != null ? watches : new SharedWatches(this);
        this.transport = transport;
        this.scheduler = scheduler;
        this.events = events;
        this.datacenter = datacenter;
        this.consistency = consistency;
        this.readTimeout = readTimeout;
        this.watchWait = watchWait;
        this.backoff = backoff;
    }

    /**
     * The same client with other defaults for reads: watches still share chains with every other
     * context, since a chain's query carries its own {@code dc} and consistency mode.
     */
    ClientRuntime withDefaults(QueryOptions defaults) {
        return new ClientRuntime(transport, scheduler, events, defaults.datacenter().orElse(datacenter),
                defaults.consistency().orElse(consistency), readTimeout, watchWait, backoff, watches);
    }

    /** Adds the datacenter and consistency mode of a read, from its options or the defaults. */
    public Request read(Request request, QueryOptions options) {
        datacenter(request, options.datacenter().orElse(null));
        return request.consistency(options.consistency().orElse(consistency));
    }

    /** Adds {@code dc} when one is set here or by default. */
    public Request datacenter(Request request, String dc) {
        String effective = dc != null ? dc : datacenter;
        return request.paramIf(effective != null, "dc", effective);
    }

    public Response call(Request request) {
        return transport.call(request);
    }
}
