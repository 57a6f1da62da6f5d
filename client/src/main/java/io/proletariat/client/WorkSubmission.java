package io.proletariat.client;

import io.proletariat.protocol.ProletariatException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The futures of a work group submitted with {@link Client#submitIndividual}: one per work, completing
 * as each work finishes, and one for the whole group.
 *
 * <pre>{@code
 * WorkSubmission s = client.submitIndividual(List.of(a, b, c), WorkOptions.DEFAULT);
 * s.works().forEach(f -> f.thenAccept(r -> System.out.println("finished: " + r)));
 * List<WorkResult> all = s.all().join();
 * }</pre>
 *
 * <p>The futures complete on the client's callback executor, never on a Netty event loop. Each per-work
 * future completes exactly once: with the work's result (which may be a failure such as {@code ETO}),
 * or exceptionally with a {@link ProletariatException} when the whole call failed.
 */
public final class WorkSubmission {
    private final String requestId;
    private final List<CompletableFuture<WorkResult>> works;
    private final CompletableFuture<List<WorkResult>> all;

    WorkSubmission(String requestId, List<CompletableFuture<WorkResult>> works, CompletableFuture<List<WorkResult>> all) {
        this.requestId = requestId;
        this.works = List.copyOf(works);
        this.all = all;
    }

    /** The request id sent as {@code rid} and {@code group}. */
    public String requestId() {
        return requestId;
    }

    /** One future per submitted work, in submission order. */
    public List<CompletableFuture<WorkResult>> works() {
        return works;
    }

    /** The results of the whole group, in submission order. */
    public CompletableFuture<List<WorkResult>> all() {
        return all;
    }
}
