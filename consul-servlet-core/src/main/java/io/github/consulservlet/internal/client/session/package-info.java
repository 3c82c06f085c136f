/**
 * Sessions behind {@link io.github.consulservlet.Sessions}.
 */
package io.github.consulservlet.internal.client.session;
