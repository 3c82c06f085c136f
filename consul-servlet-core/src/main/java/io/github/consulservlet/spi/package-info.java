/**
 * What a container adapter (the Tomcat valve, the Jetty module) implements and uses: the
 * {@link io.github.consulservlet.spi.ContainerAdapter} found by {@link java.util.ServiceLoader}, through which it
 * reports the real start, port and stop of each webapp, the {@link io.github.consulservlet.spi.WebappLifecycle}
 * it is given, and the logger and thread factory it shares with the extension. Servlets do not use this package.
 */
package io.github.consulservlet.spi;
