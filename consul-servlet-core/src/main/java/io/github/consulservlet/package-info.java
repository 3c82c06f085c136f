/**
 * What a webapp sees of Consul: {@link io.github.consulservlet.ConsulContext}, published as a
 * servlet context attribute, with {@link io.github.consulservlet.Discovery},
 * {@link io.github.consulservlet.KeyValueStore} and {@link io.github.consulservlet.Sessions}; the
 * immutable results and options they take; and the {@link io.github.consulservlet.ConsulException}
 * family. This package is the supported API for servlets.
 */
package io.github.consulservlet;
