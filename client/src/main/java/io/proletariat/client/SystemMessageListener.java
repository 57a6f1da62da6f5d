package io.proletariat.client;

import io.proletariat.protocol.SystemMessage;

/**
 * Receives the system messages relayed to a client or worker. The library acknowledges each message
 * to the manager on receipt, before calling the listener.
 *
 * <p>Called on the participant's callback executor (a worker's handler executor), never on a Netty
 * event loop.
 */
@FunctionalInterface
public interface SystemMessageListener {
    void onSystemMessage(SystemMessage message);
}
