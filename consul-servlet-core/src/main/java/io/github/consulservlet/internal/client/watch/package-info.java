/**
 * Blocking-query watches: one query per key, prefix or service whatever the number of listeners,
 * the budget of concurrent queries, and the dispatch of changes to each webapp's listeners.
 */
package io.github.consulservlet.internal.client.watch;
