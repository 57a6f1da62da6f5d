package io.proletariat.worker;

import com.fasterxml.jackson.core.type.TypeReference;
import io.proletariat.protocol.RawJson;
import java.util.OptionalLong;

/**
 * One work the manager gave this worker: its id, its arguments, and its cancellation state.
 *
 * <p>A work is <em>cancelled</em> when its run timeout expires ({@code ETO} has then been sent), when
 * the manager aborts it (its client left or gave up), when the connection to the manager drops, or
 * when the worker stops. After that any result is dropped. A blocking handler is interrupted; an
 * asynchronous one should check {@link #isCancelled()} or register {@link #onAbort(Runnable)}.
 * The work's slot stays busy until the handler has returned (and, for an asynchronous handler, until
 * it completed or was cancelled).
 *
 * <pre>{@code
 * worker.onWork((work, done) -> {
 *     Order order = work.args(Order.class);
 *     work.onAbort(() -> log.info("work {} abandoned", work.id()));
 *     done.success(process(order));
 * });
 * }</pre>
 *
 * Thread-safe.
 */
public interface Work {
    /** The work id the manager gave it (for example {@code W149636R906}). */
    String id();

    /** The work's arguments as JSON, exactly as the client sent them. */
    RawJson args();

    /** The arguments' JSON text. */
    default String argsJson() {
        return args().toString();
    }

    /** The arguments read into a Java type with the worker's object mapper. */
    <T> T args(Class<T> type);

    /** The arguments read into a generic Java type with the worker's object mapper. */
    <T> T args(TypeReference<T> type);

    /** The run timeout in milliseconds (wire field {@code timeout}), if the work has one. */
    OptionalLong runTimeoutMillis();

    /** True once the work was cancelled (run timeout, abort, disconnect, stop). */
    boolean isCancelled();

    /**
     * Runs {@code listener} when the work is cancelled; at once (on the calling thread) if it already
     * is. Listeners run on the worker's listener thread, never on a Netty event loop.
     */
    void onAbort(Runnable listener);

    /** The largest progress value sent, in bytes of JSON (the manager refuses larger ones). */
    int MAX_PROGRESS_BYTES = 64 * 1024;

    /**
     * Reports the work's progress to its client (our extension, docs/client-and-worker.md, "Progress"):
     * {@code value} is any JSON value, given as a Java object written with the worker's object mapper,
     * a {@link RawJson}, or a string (sent as a JSON string). Reports go out in order; when several
     * wait for the worker's connection, only the latest is sent. Reports after the work's result, or
     * once it is cancelled, are dropped. Only clients that asked for progress see it; an original
     * manager answers the frame with an error the worker ignores. Any thread.
     *
     * @throws IllegalArgumentException when the value cannot be written as JSON, or takes more than
     *         {@value #MAX_PROGRESS_BYTES} bytes
     */
    void progress(Object value);
}
