package io.proletariat.worker;

/**
 * The completion handle of one work: the original's {@code handler(err, result)}. Only the first
 * call counts; later calls return {@code false} and are ignored, as are calls after the work was
 * cancelled.
 *
 * <p>The result travels to the client as {@code {"err": error, "data": result}}:
 * <ul>
 *   <li>{@code error} {@code null}: success;</li>
 *   <li>a {@link Throwable}: {@code {"message": ...}}, plus {@code "code"} when it is a
 *       {@link io.proletariat.protocol.ProletariatException} with a code;</li>
 *   <li>any other object (a {@code Map}, a POJO, a {@link io.proletariat.protocol.RawJson}):
 *       serialised as is with the worker's object mapper.</li>
 * </ul>
 * A result or error that cannot be serialised is reported as the error
 * {@code {"code":"ESERIAL","message":...}} instead (never lost).
 *
 * <p>Thread-safe; may be called from any thread.
 */
public interface WorkCompletion {
    /** Completes the work with an error (or {@code null}) and a result (or {@code null}). */
    boolean done(Object error, Object result);

    /** {@code done(null, result)}. */
    default boolean success(Object result) {
        return done(null, result);
    }

    /** {@code done(error, null)}. */
    default boolean fail(Object error) {
        return done(error, null);
    }
}
