package io.proletariat.client;

import io.proletariat.protocol.ProletariatException;
import io.proletariat.protocol.RawJson;

/**
 * Receives the answer for one work: the original's {@code callback(err, data)}, used by
 * {@link Client#work(Object, WorkOptions, WorkCallback)} and as the per-work callback of
 * {@link Client#workIndividual}.
 *
 * <ul>
 *   <li>Success: {@code error} is {@code null}, {@code data} the result's data.</li>
 *   <li>The work failed (its own error, {@code ETO}, {@code EATO}, {@code ECSTO}): {@code error} is a
 *       {@link WorkFailedException} whose {@code code()} and {@code error()} tell why.</li>
 *   <li>The whole call failed (the manager refused the push, or could not be reached): {@code error}
 *       has the code, {@code data} and {@code result} are {@code null}.</li>
 * </ul>
 *
 * <p>Called exactly once per work, on the client's callback executor, never on a Netty event loop.
 */
@FunctionalInterface
public interface WorkCallback {
    void onResult(ProletariatException error, RawJson data, WorkResult result);
}
