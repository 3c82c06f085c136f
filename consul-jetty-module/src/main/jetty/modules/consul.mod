# consul-servlet: registers the ee10 web applications in HashiCorp Consul.
# Installed with the jetty-base archive of io.github.consulservlet:consul-jetty-module.

[description]
Registers every `ee10` web application in HashiCorp Consul, and deregisters it before it stops.
A web application is registered once it has started and the server accepts its traffic, with
the connector's real port and a health check that follows its liveness; before it stops, it is
put in maintenance and its requests in flight are given consul.drain to finish. Servlets reach
Consul's discovery, KV store and sessions through the ConsulContext servlet context attribute.
The `ee11` web applications have the `consul-ee11` module; both may be enabled together.

[tags]
deployment
consul

[environment]
ee10

[depend]
ee10-deploy
ee10-annotations

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
## A property left commented here falls through to those. A value that cannot be used costs the
## webapps it applies to their registration (they are still served), with one log line naming it;
## a consul.* property that is no setting is ignored with a warning naming the nearest one.
## Durations are Go's, as Consul writes them: 500ms, 10s, 1m30s; sizes are bytes, KiB or MiB: 8MiB.
## Set in this file, a property applies to the ee10 web applications only; the ee11 ones
## (module consul-ee11) read start.d/consul-ee11.ini. Given on the command line
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

## The instance's DNS SRV weights while its checks pass and while one warns, such as
## passing=10,warning=1; a weight not given is 1.
## Default: Consul's: passing=1,warning=1.
# consul.service.weights=

## Addresses the instance is reached at from other networks, tag=address[:port] comma-separated,
## such as lan=10.0.0.5:8080,wan=203.0.113.7:80; without a port, the service's.
# consul.service.tagged-addresses=

## Consul's EnableTagOverride: true lets tags changed in the catalog (by consul-esm, say) stay until
## the next registration.
# consul.service.enable-tag-override=false

## The HTTP method of the http checks, such as HEAD.
## Default: Consul's: GET.
# consul.check.method=

## Headers the agent sends with the http checks, Name=value comma-separated, such as
## Authorization=Bearer s3cr3t,X-Probe=consul; a name given twice sends both values.
# consul.check.header=

## true: the agent does not verify the certificate of an https check (one on a TLS connector).
# consul.check.tls-skip-verify=false

## The name the agent expects in the certificate of an https check (and sends as SNI), when it is
## not the probed address.
# consul.check.tls-server-name=

## How many successful probes in a row turn a check passing (0: the first).
# consul.check.success-before-passing=0

## How many failed probes in a row turn a check critical (0: the first).
# consul.check.failures-before-critical=0

## Consul's Notes of every check of the instance: free text for whoever reads them.
# consul.check.notes=

## A second http check, on this path of the webapp, probed like the first (same interval, timeout,
## method, headers); its ID is service:<id>:http.
# consul.check.extra.http-path=

## true adds a TCP check on the connector's address and port, every consul.check.interval; its ID is
## service:<id>:tcp.
# consul.check.extra.tcp=false

## Adds a TTL check that something else reports to (a batch job, a sidecar: PUT
## /v1/agent/check/pass/service:<id>:ttl) within this TTL; its ID is service:<id>:ttl.
# consul.check.extra.ttl=

## Consul Enterprise: the namespace the instance is registered in, sent as ns on every agent call of
## the registration; an open-source agent refuses it.
## Default: the token's, else default.
# consul.namespace=

## Consul Enterprise: the admin partition of the instance, sent as partition on every agent call of
## the registration; an open-source agent refuses it.
## Default: the agent's.
# consul.partition=
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
## with a ConsulResponseException. Never more than an eighth of the JVM's heap, whatever is set.
# consul.client.max-response-size=8MiB

## The same for watches and recursive KV reads, which carry whole prefixes and service lists.
# consul.client.max-watch-response-size=64MiB

## true fails a whole read when one entry of the agent's answer cannot be read (a value that is not
## base64, a port out of range); by default that entry is left out, with a warning naming it.
# consul.client.strict-answers=false

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

## The webapps the container registers, by context path: globs, comma-separated, where * stands
## for any characters but /, ** for any characters, and / for the root webapp.
## Default: every webapp.
# consul.webapps.include=

## The webapps the container does not register, in the same form, such as
## /manager,/host-manager,/docs,/examples; it wins over consul.webapps.include. An excluded webapp
## is served as usual, with no ConsulContext.
# consul.webapps.exclude=

## true: a setting that cannot be used fails the webapp's deployment; by default the webapp is
## served, unregistered and without a ConsulContext, and one log line names the setting.
# consul.fail-webapp-on-error=false
# end::documentation[]
