/**
 * The proletariat manager, embeddable: {@link io.proletariat.manager.Manager} with its
 * {@link io.proletariat.manager.ManagerOptions}, what it tells ({@link io.proletariat.manager.ManagerStats},
 * {@link io.proletariat.manager.Manager.Counts}, {@link io.proletariat.manager.ManagerListener} events)
 * and the one hook into scheduling, {@link io.proletariat.manager.WorkSelector}. Everything in
 * {@code internal} is not API.
 *
 * <p>Threads. {@code Manager}'s methods may be called from any thread. A {@code WorkSelector} runs on
 * the dispatch thread and must be quick; {@code ManagerListener}s run on an event thread of their own.
 */
package io.proletariat.manager;
