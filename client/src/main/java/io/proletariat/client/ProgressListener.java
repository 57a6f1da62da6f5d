package io.proletariat.client;

import io.proletariat.protocol.RawJson;

/**
 * Hears the progress a worker reports for a work of a call ({@link WorkOptions.Builder#onProgress}).
 * Runs on the client's callback thread, in the order the reports arrive, never after the work's result.
 * Reports may be dropped on the way (a worker sends only its latest; a manager drops reports for a
 * client that reads too slowly), so treat each as the latest state, not as an event to count.
 */
@FunctionalInterface
public interface ProgressListener {
    /**
     * @param index the work's position in the call's list (0 for a single work)
     * @param workId the manager's id of the work
     * @param progress the value the worker reported, as JSON (read it with {@link RawJson#asText()},
     *                 {@link RawJson#fields()}, or your object mapper on {@link RawJson#toString()})
     */
    void onProgress(int index, String workId, RawJson progress);
}
