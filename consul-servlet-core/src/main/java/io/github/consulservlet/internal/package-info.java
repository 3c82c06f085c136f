/**
 * Internals of the extension, which servlets and container adapters never use: the Consul client,
 * the settings and the registration of webapps. Nothing here is a supported API; it changes
 * without notice. Servlets use {@link io.github.consulservlet.ConsulContext}; adapters use
 * {@link io.github.consulservlet.spi}.
 */
package io.github.consulservlet.internal;
