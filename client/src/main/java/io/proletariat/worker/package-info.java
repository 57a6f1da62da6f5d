/**
 * The worker library: {@link io.proletariat.worker.Worker}, its
 * {@link io.proletariat.worker.WorkerOptions}, the {@link io.proletariat.worker.WorkHandler} a user
 * writes, and the {@link io.proletariat.worker.Work} and {@link io.proletariat.worker.WorkCompletion}
 * a handler gets. It shares its connection API (reconnect policy, connection listener, system
 * messages, exceptions) with the client library, in {@code io.proletariat.client}.
 *
 * <p>Package-private: {@code RealWork}, a work's bookkeeping, whose {@code Phase} moves through one
 * table of allowed moves.
 *
 * <p>Threads: a worker's state and every work's phase are owned by the event loop of its
 * connection engine; handlers run on the worker's executor; abort, system-message and connection
 * listeners on its listener thread. {@link io.proletariat.worker.Worker} is thread-safe.
 */
package io.proletariat.worker;
