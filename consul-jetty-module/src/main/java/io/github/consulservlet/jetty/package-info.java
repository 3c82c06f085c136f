/**
 * The Jetty 12.1 adapter of consul-servlet (environments ee10 and ee11): the server bean
 * {@link io.github.consulservlet.jetty.ConsulJettyListener}, which {@code etc/jetty-consul.xml}
 * of the Jetty modules {@code consul} and {@code consul-ee11} installs, and
 * {@link io.github.consulservlet.jetty.JettyContainerAdapter}, through which consul-servlet's
 * initializer finds it. Only core {@code jetty-server} APIs are used, so one jar serves both
 * environments; each environment loads its own copy.
 */
package io.github.consulservlet.jetty;
