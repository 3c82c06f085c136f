/**
 * Locks, semaphores and leader election made as HashiCorp's Go client makes them
 * ({@code api/lock.go}, {@code api/semaphore.go}), on the client's transport and scheduler: no
 * thread is held per lock.
 */
package io.github.consulservlet.internal.client.lock;
