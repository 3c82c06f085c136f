/**
 * TLS to an {@code https} agent: the CA, the client certificate and its PEM key (PKCS#8, PKCS#1 or
 * SEC1, read by a small DER parser), and whether the agent's certificate is verified.
 */
package io.github.consulservlet.internal.client.tls;
