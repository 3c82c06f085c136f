/**
 * The Consul HTTP client that the container extension creates, shares between the webapps that
 * talk to the same agent, and closes: {@link io.github.consulservlet.client.ConsulClient}, the
 * local {@link io.github.consulservlet.client.Agent} (service registration and checks), and one
 * {@link io.github.consulservlet.client.ScopedConsulContext} per webapp. Servlets do not need this
 * package: they use {@link io.github.consulservlet.ConsulContext}.
 */
package io.github.consulservlet.client;
