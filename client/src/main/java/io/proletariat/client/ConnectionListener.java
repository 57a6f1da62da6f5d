package io.proletariat.client;

/**
 * Hears how a {@link Client}'s or a {@link io.proletariat.worker.Worker}'s connection to its manager
 * changes, instead of polling {@code isConnected()} / {@code isReady()}. Register it with
 * {@code addConnectionListener}; every method has an empty default.
 *
 * <p>A participant is <em>connected</em> when it can work on a connection: a client as soon as the
 * TCP connection is up, a worker once the manager accepted its offer ({@code Worker.id()} is then
 * set). Events come in this order: {@link #onConnected()} once, then {@link #onDisconnected()} and
 * {@link #onReconnected()} in turns, and {@link #onClosed()} last.
 *
 * <pre>{@code
 * worker.addConnectionListener(new ConnectionListener() {
 *     @Override public void onDisconnected() { System.err.println("lost the manager; reconnecting"); }
 *     @Override public void onReconnected() { System.err.println("back"); }
 * });
 * }</pre>
 *
 * <p>Called on the participant's callback thread (a client's callback executor, a worker's listener
 * thread), one event at a time, never on a Netty event loop. A listener that throws is logged.
 */
public interface ConnectionListener {
    /** Connected for the first time. */
    default void onConnected() {
    }

    /** The connection was lost; the participant is reconnecting (see {@link ReconnectPolicy}). */
    default void onDisconnected() {
    }

    /** Connected again after {@link #onDisconnected()}. */
    default void onReconnected() {
    }

    /** Closed or stopped for good (also when a worker gave up reconnecting): no event follows. */
    default void onClosed() {
    }
}
