package io.proletariat.worker;

/**
 * Does the works a {@link Worker} receives: the original's {@code worker.on('work', fn)}.
 *
 * <p>Called on the worker's executor, never on a Netty event loop, so it may block. It must call
 * {@code completion} exactly once, before or after returning (later calls are ignored). An
 * exception thrown before completing completes the work with that exception as its error.
 *
 * <pre>{@code
 * worker.onWork((work, completion) -> completion.done(null, "Greetings, comrade!"));
 * }</pre>
 */
@FunctionalInterface
public interface WorkHandler {
    void handle(Work work, WorkCompletion completion) throws Exception;
}
