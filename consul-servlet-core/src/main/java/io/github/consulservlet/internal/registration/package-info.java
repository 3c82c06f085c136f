/**
 * Registers each webapp as a Consul service instance: the servlet container initializer that runs
 * for every webapp, the registrar, its retries and anti-entropy, the liveness endpoint and the
 * clients shared between webapps.
 */
package io.github.consulservlet.internal.registration;
