/**
 * Registers each webapp as a Consul service instance: the {@link ConsulServletInitializer} that
 * runs for every webapp, the {@link ContainerAdapter} SPI through which a container module
 * reports the real start, port and stop of each webapp, the policies every adapter calls (which
 * connector, the listening address, the started gate, once-per-start guards, webapp names), and
 * (package-private) the registrar, its retries and anti-entropy, the liveness endpoint and the
 * clients shared between webapps.
 */
package io.github.consulservlet.registration;
