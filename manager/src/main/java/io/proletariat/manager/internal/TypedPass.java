package io.proletariat.manager.internal;

import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * The order of a pass once workers offered work types (docs/protocol.md, "Work types and limits"):
 * the priority levels of the untyped queues and of every offered type's queues that may run more,
 * merged highest priority first (untyped first, then types in the order they were offered, within
 * a priority), so that a worker of several types still gets its highest priorities first. A pass
 * with no typed worker never comes here. Core thread only.
 */
final class TypedPass {
    private static final Comparator<WorkQueues.Level> HIGHEST_FIRST = (a, b) -> Integer.compare(b.priority, a.priority);

    private TypedPass() {
    }

    /** Fills {@code out} with the levels holding live works that the pass may place, highest priority first. */
    static void levels(Scheduler scheduler, List<WorkQueues.Level> out) {
        add(scheduler.queues, out);
        for (WorkType t : scheduler.types.offered) {
            if (t.queues.size() > 0 && t.room() > 0) {
                add(t.queues, out);
            }
        }
        out.sort(HIGHEST_FIRST); // stable: untyped, then types in order, within a priority
    }

    private static void add(WorkQueues queues, List<WorkQueues.Level> out) {
        for (Iterator<WorkQueues.Level> it = queues.highestFirst(); it.hasNext(); ) {
            out.add(it.next());
        }
    }

    /** Works queued in the offered types' queues: the ones a worker could take. */
    static long queued(WorkTypes types) {
        long n = 0;
        for (WorkType t : types.offered) {
            n += t.queues.size();
        }
        return n;
    }
}
