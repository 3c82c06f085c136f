/**
 * The Consul HTTP client that the extension creates, shares between the webapps that talk to the
 * same agent with the same credentials, and closes: {@link io.github.consulservlet.internal.client.ConsulClient},
 * its runtime (scheduler, events, backoff) and one {@link io.github.consulservlet.internal.client.ScopedConsulContext}
 * per webapp. The rooms below it hold the transport, TLS, JSON, watches and the endpoint groups.
 */
package io.github.consulservlet.internal.client;
