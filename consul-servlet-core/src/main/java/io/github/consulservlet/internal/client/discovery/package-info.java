/**
 * Service discovery: the health and catalog endpoints behind {@link io.github.consulservlet.Discovery}.
 */
package io.github.consulservlet.internal.client.discovery;
