package io.proletariat.client;

import io.proletariat.protocol.ProletariatException;
import java.util.List;

/**
 * Receives the answers for a work group: the original's {@code callback(err, results)}.
 *
 * <p>{@code results} holds one {@link WorkResult} per submitted work, in submission order, whatever
 * order they finished in; per-work failures ({@code ETO}, {@code EATO}, {@code ECSTO}, the handler's
 * errors) are inside it and {@code error} is {@code null}. {@code error} is set, and {@code results}
 * is {@code null}, only when the whole call failed: the manager refused the push (the exception
 * carries its code, for example {@code EINVWORKL}), or it could not be reached
 * ({@link ConnectionException}).
 *
 * <p>Called exactly once, on the client's callback executor, never on a Netty event loop.
 */
@FunctionalInterface
public interface GroupCallback {
    void onDone(ProletariatException error, List<WorkResult> results);
}
