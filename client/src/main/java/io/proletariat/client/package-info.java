/**
 * The client library, and the API it shares with the worker library.
 *
 * <p>Public here: {@link io.proletariat.client.Client} with its options and results
 * ({@link io.proletariat.client.ClientOptions}, {@link io.proletariat.client.WorkOptions},
 * {@link io.proletariat.client.WorkResult}, {@link io.proletariat.client.WorkSubmission}, the
 * callbacks), and what a client and a {@link io.proletariat.worker.Worker} both use: the
 * {@link io.proletariat.client.ReconnectPolicy}, the {@link io.proletariat.client.ConnectionListener},
 * the system-message listener, callback and receipt, and the exceptions
 * {@link io.proletariat.client.ConnectionException} and {@link io.proletariat.client.WorkFailedException}
 * (both {@link io.proletariat.protocol.ProletariatException}s; the root and
 * {@link io.proletariat.protocol.SystemMessage} live in the protocol module, shared with the manager).
 *
 * <p>Threads: a client's state is owned by the event loop of its connection engine
 * ({@code client.internal}); its callbacks, listeners and futures run on its callback executor.
 * Options, results and receipts are immutable.
 */
package io.proletariat.client;
