package io.proletariat.manager;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses the worker a queued work goes to: the original's {@code workSelectWorker}.
 *
 * <p>Called on the manager's dispatch thread once per work in a distribution pass, so it must be
 * quick and must not block. Only workers with room for the work are offered; the manager keeps
 * the slot accounting, so a selector cannot over-assign.
 *
 * <pre>{@code
 * // Any worker with room, uniformly (the README's example).
 * WorkSelector uniform = (work, candidates, total) ->
 *     candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
 * }</pre>
 */
@FunctionalInterface
public interface WorkSelector {
    /**
     * @param work the work being placed
     * @param candidates the workers with free slots for it, in connection order; never empty
     * @param totalAvailable the sum of their {@link WorkerSlots#available()}
     * @return one of {@code candidates}, or {@code null} to leave the work queued until the next pass
     */
    WorkerSlots select(WorkInfo work, List<? extends WorkerSlots> candidates, int totalAvailable);

    /**
     * The default: a worker drawn at random with probability proportional to its free slots, which
     * balances load across workers.
     */
    static WorkSelector weightedRandom() {
        return (work, candidates, total) -> {
            if (candidates.size() == 1) {
                return candidates.get(0);
            }
            int r = ThreadLocalRandom.current().nextInt(total);
            for (WorkerSlots c : candidates) {
                r -= c.available();
                if (r < 0) {
                    return c;
                }
            }
            return candidates.get(candidates.size() - 1);
        };
    }
}
