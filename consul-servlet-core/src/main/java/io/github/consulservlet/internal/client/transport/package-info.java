/**
 * Requests to the agent and what comes back: HttpClient 5 for calls and watches, the agent token,
 * bounded answers, total deadlines per call, and the shape checks that turn a broken answer into
 * an exception.
 */
package io.github.consulservlet.internal.client.transport;
