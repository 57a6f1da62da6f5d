package io.proletariat.manager;

import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.SystemMessage;

/**
 * Receives the manager's events, the original's {@code manager.on(...)} events.
 *
 * <p>Called on the manager's event thread, one event at a time in the order they happened, never on
 * the dispatch thread: a slow listener delays other listeners, not the manager. Every method has an
 * empty default, so implement only those you need.
 *
 * <p>Events wait for the listeners in a bounded queue (100,000 events or 64 MiB of args, results and
 * message contents): when listeners fall that far behind, further events are dropped, counted in
 * {@link ManagerStats.Counters#eventsDropped()} and logged at WARN at most every 10 s. A listener
 * that must see every event has to keep up.
 *
 * <pre>{@code
 * manager.addListener(new ManagerListener() {
 *     public void sysmsg(SystemMessage msg) { System.out.println("System message: " + msg.content()); }
 * });
 * }</pre>
 */
public interface ManagerListener {
    /** A client pushed this work ({@code receive}). */
    default void receive(WorkInfo work) {
    }

    /** The work was sent to a worker ({@code assign}). */
    default void assign(WorkInfo work, String workerId) {
    }

    /** The work's result was relayed to its client ({@code finish}). */
    default void finish(WorkInfo work, RawJson result) {
    }

    /** The client aborted the work ({@code abort}). */
    default void abort(WorkInfo work) {
    }

    /** The work waited longer than its {@code assigntimeout}; the client got {@code EATO} ({@code assigntimeout}). */
    default void assignTimeout(WorkInfo work) {
    }

    /** The work's client disconnected before it finished, so it was dropped ({@code giveup}). */
    default void giveUp(WorkInfo work) {
    }

    /** A system message for the manager ({@code sysmsg}). */
    default void sysmsg(SystemMessage message) {
    }

    /** The periodic or requested cleanup ran ({@code cleanup}). */
    default void cleanup() {
    }
}
