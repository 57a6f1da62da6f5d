/**
 * The manager's machinery; nothing here is API. {@link io.proletariat.manager.internal.ManagerServer}
 * (which {@code Manager} runs) and {@link io.proletariat.manager.internal.MergedRanges} (shared with
 * the HTTP status) are public only so that {@code io.proletariat.manager} and {@code internal.http}
 * can reach them; every other type is package-private.
 *
 * <p>Threads. The I/O threads ({@code proletariat-io}) read frames ({@code FrameDecoder}) and decode
 * them into typed {@code Inbound} messages ({@code InboundDecoder}, which also reads a push's numbers
 * as the original's {@code parseInt} does; each I/O thread reuses one parser and one scratch for
 * every frame it decodes, so decoding allocates only what the message keeps). Everything else here belongs to the dispatch core's one
 * thread (the I/O thread itself by default, {@code proletariat-core} with more I/O threads), which
 * is the only one to touch it:
 * <ul>
 *   <li>{@code DispatchCore}: the conductor. Owns the connections, checks each event against the
 *       limits and state, and routes it to the pieces below; runs the keepalive, the cleanup and the
 *       end of each batch of events (the pass, then one flush).</li>
 *   <li>{@code Works}: the live works' lives: created by a push, finished by a result, or leaving
 *       without one (abort, assign timeout, client gone) by the same steps.</li>
 *   <li>{@code Scheduler} with {@code WorkQueues}, {@code Offers} and {@code Range}: which worker runs
 *       which work (the pass, the selector, guaranteed ranges, the AVAIL_THRESHOLD wait, reject backoff).</li>
 *   <li>{@code WorkTypes}, {@code WorkType}, {@code TypedPass} and {@code WorkTypeCommands}: work types,
 *       each with its own queues, workers and limit, and the wire's fields and {@code limit} command for them.</li>
 *   <li>{@code Work}: one work, moving between states only through the table of {@code Work.State}.</li>
 *   <li>{@code KeyHolds}: works held behind another with the same {@code _key}.</li>
 *   <li>{@code Replies}: every frame written to a peer, through the {@code Outbox}, which flushes
 *       once per batch.</li>
 *   <li>{@code StatusReport}: {@code status}, {@code mystatus} and the {@code ManagerStats} snapshot,
 *       from {@code Stats}.</li>
 *   <li>{@code SystemMessages}: relayed system messages, their acknowledgements and reports.</li>
 *   <li>{@code MemoryBudget} and {@code BufferShedding}, {@code ConnectionLimit}, {@code LimitLog},
 *       {@code Rate}: the limits.</li>
 * </ul>
 * {@code Events} hands listener calls to the {@code proletariat-manager-events} thread; the HTTP
 * listener ({@code internal.http}) runs on {@code proletariat-http} and sees only snapshots.
 */
package io.proletariat.manager.internal;
