/**
 * The local agent's endpoints ({@code /v1/agent/...}): registering and deregistering services
 * with their checks, maintenance, TTL updates, and the services and checks the agent holds.
 */
package io.github.consulservlet.internal.client.agent;
