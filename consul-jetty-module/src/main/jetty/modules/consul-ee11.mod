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
## Durations are Go's, as Consul writes them: 500ms, 10s, 1m30s.
## Set in this file, a property applies to the ee11 web applications only; the ee10 ones
## (module consul) read start.d/consul.ini. Given on the command line
## (java -jar $JETTY_HOME/start.jar consul.agent=...), it applies to both.

## false: the webapps are neither registered nor given a ConsulContext.
# consul.enabled=true

## The Consul agent: host:port or URL; comma-separated = failover, tried in order.
## Environment: CONSUL_HTTP_ADDR (https when CONSUL_HTTP_SSL=true).
# consul.agent=http://127.0.0.1:8500

## ACL token, sent only as the X-Consul-Token header, never logged by consul-servlet; but
## `java -jar start.jar --list-config` prints every property set here, this one too: prefer
## consul.token-file. Environment: CONSUL_HTTP_TOKEN.
# consul.token=

## A file holding the ACL token, read at deploy: a regular file of at most 4 KiB, best readable
## by Jetty's user alone (0600; a world-readable one is warned about). The recommended way to
## give the token. Environment: CONSUL_HTTP_TOKEN_FILE.
# consul.token-file=

## Consistency of the webapps' reads: default, consistent or stale.
# consul.consistency-mode=default

## Default datacenter of the webapps' queries (default: the agent's).
# consul.datacenter=

## Service name, a DNS label (default: the context path without its leading /, inner / as -,
## the root context as root), and service ID (default: <name>-<host>-<port>). Each names one
## webapp, so they are web.xml context-params only: set here, they would give every webapp the
## same instance ID, and the webapps fail to deploy with a message saying so.
# consul.service.name=
# consul.service.id=

## Service tags, comma-separated.
# consul.service.tags=

## Service meta data: k=v,k2=v2.
# consul.service.meta=

## Address advertised and probed (default: the connector's host when bound to one address; bound
## to all, empty when every agent is on loopback, else this host's first non-loopback address).
# consul.service.address=

## Port advertised and probed (default: the real port of the server's first HTTP connector).
# consul.service.port=

## Health check: http (the agent probes the webapp), ttl (consul-servlet reports) or none.
# consul.check.mode=http

## Path of the liveness endpoint in each webapp (default: /consul/health, served by consul-servlet).
# consul.check.path=/consul/health

## Interval and timeout of the http check (the interval is at least 1s).
# consul.check.interval=10s
# consul.check.timeout=5s

## TTL of the ttl check, reported every ttl/3.
# consul.check.ttl=30s

## Consul's DeregisterCriticalServiceAfter, at least 1m (default: none).
# consul.check.deregister-after=

## How long a stopping webapp stays registered, in maintenance, while its requests in flight
## finish (0 for none).
# consul.drain=5s

## PEM CA of an https agent (default: the JVM's trust store). Environment: CONSUL_CACERT.
# consul.tls.ca-file=

## PEM client certificate and its unencrypted key for the agent.
## Environment: CONSUL_CLIENT_CERT and CONSUL_CLIENT_KEY.
# consul.tls.client-cert=
# consul.tls.client-key=

## false skips verifying the agent's certificate (tests only). Environment: CONSUL_HTTP_SSL_VERIFY.
# consul.tls.verify=true

## The most bytes one answer of the agent may have, decoded: a larger one fails its call.
## Calls, then watches and recursive KV reads (whole prefixes, service lists).
# consul.client.max-response-size=8MiB
# consul.client.max-watch-response-size=64MiB
## Container-locked mode: once consul.agent, consul.token or consul.token-file is set here, the
## webapps' web.xml cannot set consul.agent, consul.token, consul.token-file nor consul.tls.*
## (they do not fully trust each other), and a token set here or for the JVM is only sent to the
## agents set here or for the JVM. List the ones webapps may set, comma-separated, or all, or
## none (default: none when this file sets the agent or token, else all). A webapp allowed
## its own consul.agent brings its own consul.token or consul.token-file.
# consul.webapp-overrides=
# end::documentation[]
