/**
 * The KV store behind {@link io.github.consulservlet.KeyValueStore}.
 */
package io.github.consulservlet.internal.client.kv;
