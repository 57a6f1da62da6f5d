/**
 * The connection engine under {@link io.proletariat.client.Client} and
 * {@link io.proletariat.worker.Worker}: not API. Its public types ({@link io.proletariat.client.internal.Engine},
 * {@link io.proletariat.client.internal.Json}, {@link io.proletariat.client.internal.Ids}) are public only
 * because the two libraries live in two packages; the module descriptor does not export this
 * package. {@code Connection} (one TCP connection, frames decoded once into
 * {@link io.proletariat.protocol.FromManager}) and {@code SystemMessenger} (system messages and
 * pings) are package-private.
 *
 * <p>Threads: everything here runs on the engine's one event loop, except {@link io.proletariat.client.internal.Engine}'s
 * methods documented as callable from any thread, and {@link io.proletariat.client.internal.Json} and
 * {@link io.proletariat.client.internal.Ids}, which are stateless or atomic.
 */
package io.proletariat.client.internal;
