# consul-servlet: registers the ee11 web applications in HashiCorp Consul.
# Installed with the jetty-base archive of io.github.consulservlet:consul-jetty-module.

[description]
Registers every `ee11` web application in HashiCorp Consul, and deregisters it before it stops.
A web application is registered once it has started and the server accepts its traffic, with
the connector's real port and a health check that follows its liveness; before it stops, it is
put in maintenance and its requests in flight are given consul.drain to finish. Servlets reach
Consul's discovery, KV store and sessions through the ConsulContext servlet context attribute.
The `ee10` web applications have the `consul` module; both may be enabled together.

[tags]
deployment
consul

[environment]
ee11

[depend]
ee11-deploy
ee11-annotations

[lib]
lib/consul/consul-servlet-jetty.jar

[xml]
etc/jetty-consul.xml

[ini]
## the web applications see consul-servlet's classes (ConsulContext) from this module only
jetty.webapp.addProtectedClasses+=,io.github.consulservlet.

[ini-template]
# tag::documentation[]
## consul-servlet settings for every webapp of the environment. Each one is resolved per webapp,
## the first found winning: the webapp's WEB-INF/web.xml <context-param> of the same name, then
## the property set here, then the Java system property of the same name (-Dconsul.agent=...),
## then Consul's environment variable where it has one, then the default shown.
## A property left commented here falls through to those. A value that cannot be used fails
## the deployment of the webapps it applies to, with one log line naming it.
## Durations are Go's, as Consul writes them: 500ms, 10s, 1m30s; sizes are bytes, KiB or MiB: 8MiB.
## Set in this file, a property applies to the ee11 web applications only; the ee10 ones
## (module consul) read start.d/consul.ini. Given on the command line
## (java -jar $JETTY_HOME/start.jar consul.agent=...), it applies to both.
## Each setting is described in docs/configuration.md.

## false: the webapp is neither registered nor given a ConsulContext, and its other settings are
## not read.
# consul.enabled=true

## The Consul agent, host:port or a URL; comma-separated for failover, tried in order.
## Environment: CONSUL_HTTP_ADDR (https when CONSUL_HTTP_SSL=true).
# consul.agent=http://127.0.0.1:8500

## The ACL token, sent only as the X-Consul-Token header and never logged; a value that looks like
## a file path is warned about.
## But `java -jar start.jar --list-config` prints every property set here, this one too: prefer
## consul.token-file.
## Environment: CONSUL_HTTP_TOKEN.
# consul.token=

## A file holding the ACL token, read at deploy and warned about when every user may read it;
## where both are found at one level, consul.token wins.
## A regular file of at most 4 KiB, best readable by Jetty's user alone (0600). The recommended way to
## give the token.
## Environment: CONSUL_HTTP_TOKEN_FILE.
# consul.token-file=

## The consistency of the webapp's reads: default, consistent or stale.
# consul.consistency-mode=default

## The default datacenter of the webapp's queries.
## Default: the agent's.
# consul.datacenter=

## The name of the webapp's service in Consul.
## Default: the context path without its leading /, inner / as - (the root context: root).
## A web.xml context-param only: it names one webapp, so set here it would give every webapp the same
## instance ID, and the webapps fail to deploy with a message saying so.
# consul.service.name=

## The ID of this instance, unique per instance; by default <host> is the advertised address, or
## this machine's name when that is empty or loopback.
## Default: <name>-<host>-<port>.
## A web.xml context-param only, as consul.service.name.
# consul.service.id=

## The service's tags, comma-separated.
# consul.service.tags=

## The service's metadata, key=value pairs, comma-separated.
# consul.service.meta=

## The address advertised, which the http check probes (127.0.0.1 when it is empty).
## Default: the connector's host when it is bound to one address; bound to all: empty when every
## agent is on loopback (Consul then advertises the node's address, as it prescribes for one agent
## per node), else this host's first address that is neither loopback nor link-local.
# consul.service.address=

## The port advertised and probed; required in a container without an adapter.
## Default: the real port of the container's first HTTP connector.
# consul.service.port=

## How the instance's check learns the webapp's liveness: the agent probes it (http),
## consul-servlet reports it (ttl), or no check (none).
# consul.check.mode=http

## The liveness endpoint in the webapp; when one of the webapp's servlet mappings takes the path,
## that servlet answers instead.
# consul.check.path=/consul/health

## How often the agent probes the webapp in http mode.
# consul.check.interval=10s

## How long the agent waits for the webapp's answer in http mode.
# consul.check.timeout=5s

## The TTL of the check in ttl mode, reported every ttl/3.
# consul.check.ttl=30s

## Consul's DeregisterCriticalServiceAfter: the agent removes an instance whose check stayed
## critical that long, such as one of a JVM killed before it could deregister; off keeps it for
## ever.
# consul.check.deregister-after=10m

## The status of the check from its registration until its first result, so that no one is
## routed to an instance before its first passing probe: critical, warning or passing.
# consul.check.initial-status=critical

## How long, at most, a stopping webapp stays registered, in maintenance, while its requests in
## flight finish; it goes on as soon as none is left (0 for no wait).
# consul.drain=5s

## The CA certificate of an https agent.
## Default: the JVM's trust store.
## Environment: CONSUL_CACERT.
# consul.tls.ca-file=

## The client certificate for the agent, with consul.tls.client-key.
## Environment: CONSUL_CLIENT_CERT.
# consul.tls.client-cert=

## The unencrypted key of consul.tls.client-cert (PKCS#8, PKCS#1 or SEC1, as consul tls cert
## create makes it).
## Environment: CONSUL_CLIENT_KEY.
# consul.tls.client-key=

## false skips verifying the agent's certificate (tests only).
## Environment: CONSUL_HTTP_SSL_VERIFY.
# consul.tls.verify=true

## The most bytes one answer of the agent to a call may have, decoded; a larger one fails the call
## with a ConsulResponseException.
# consul.client.max-response-size=8MiB

## The same for watches and recursive KV reads, which carry whole prefixes and service lists.
# consul.client.max-watch-response-size=64MiB

## Which of the settings a container that sets the agent or the token keeps for itself a webapp's
## web.xml may still set: all, none, or some of them, comma-separated.
## Default: none when the container sets consul.agent, consul.token or consul.token-file, else
## all.
## Container-locked mode: once consul.agent, consul.token or consul.token-file is set here, the
## webapps' web.xml cannot set consul.agent, consul.token, consul.token-file nor consul.tls.* (they do
## not fully trust each other), and a token set here or for the JVM is only sent to the agents set
## here or for the JVM. A webapp allowed its own consul.agent brings its own consul.token or
## consul.token-file.
# consul.webapp-overrides=
# end::documentation[]
