/**
 * Reading and writing the JSON the agent speaks, and Go durations as {@code time.ParseDuration} reads them.
 */
package io.github.consulservlet.internal.client.json;
