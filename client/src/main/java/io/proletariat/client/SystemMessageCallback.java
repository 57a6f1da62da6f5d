package io.proletariat.client;

import io.proletariat.protocol.ProletariatException;

/**
 * Called once when a system message this participant sent has reached all its recipients
 * ({@code error == null}), or could not be delivered ({@code receipt == null}, for example a
 * {@link ConnectionException} with code {@code ECONNLOST} when the connection dropped first).
 *
 * <p>Called on the participant's callback executor, never on a Netty event loop.
 */
@FunctionalInterface
public interface SystemMessageCallback {
    void onComplete(ProletariatException error, SystemMessageReceipt receipt);
}
