package io.github.consulservlet;

import java.util.List;
import java.util.Optional;

/**
 * Consul sessions, the base of locks and leader election
 * (see {@link KvWriteOptions#acquire(String)}).
 *
 * <p>Seed helpers: {@code consul_session_create(...)} is {@link #create(SessionOptions)},
 * {@code consul_session_destroy(id)} is {@link #destroy(String)}, {@code consul_session_info(id, dc)}
 * is {@link #info(String, QueryOptions)}, {@code consul_session_node(node, dc)} is
 * {@link #node(String, QueryOptions)}, {@code consul_session_list(dc)} is
 * {@link #list(QueryOptions)}, {@code consul_session_renew(id)} is {@link #renew(String)}.
 */
public interface Sessions {

    /** Creates a session with Consul's defaults and answers its ID. */
    String create();

    /** Creates a session and answers its ID. */
    String create(SessionOptions options);

    /** Destroys a session, releasing or deleting what it holds by its behavior. */
    void destroy(String id);

    /** Destroys a session of another datacenter. */
    void destroy(String id, String datacenter);

    /** The session, or empty when there is none with that ID. */
    Optional<SessionInfo> info(String id);

    /** The session, asked with {@code options}, or empty when there is none. */
    Optional<SessionInfo> info(String id, QueryOptions options);

    /** The sessions of a node. */
    List<SessionInfo> node(String node);

    /** The sessions of a node, asked with {@code options}. */
    List<SessionInfo> node(String node, QueryOptions options);

    /** Every session. */
    List<SessionInfo> list();

    /** Every session, asked with {@code options}. */
    List<SessionInfo> list(QueryOptions options);

    /** Renews a TTL session; empty when it no longer exists (it expired or was destroyed). */
    Optional<SessionInfo> renew(String id);

    /** Renews a TTL session of another datacenter; empty when it no longer exists. */
    Optional<SessionInfo> renew(String id, String datacenter);
}
