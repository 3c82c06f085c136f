/**
 * The settings of one webapp: each {@code consul.*} setting resolved from the webapp's context
 * parameters, the container's settings, system properties, Consul's environment variables and
 * the defaults, in that order, with an error naming the setting, the value and the accepted form
 * when a value cannot be used.
 */
package io.github.consulservlet.internal.config;
