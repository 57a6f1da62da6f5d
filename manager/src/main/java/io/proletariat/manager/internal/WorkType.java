package io.proletariat.manager.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * One named work type (docs/protocol.md, "Work types and limits"): its own queues, the workers that
 * offered it, how many of its works are on workers, and its limit. Untyped works have no
 * {@code WorkType}: they stay in the {@link Scheduler}'s own queues. Kept by {@link WorkTypes} while
 * it has live works, workers or a limit. Core thread only.
 */
final class WorkType {
    final String name;
    final WorkQueues queues = new WorkQueues(this);
    /** Workers that offered this type, in the order they offered. */
    final List<Connection> workers = new ArrayList<>();
    /** Its works assigned to or running on workers: counted up by the pass, down by {@code Scheduler.detach}. */
    long running;
    /** Its works alive anywhere (queued, held, parked, assigned, running): counted by {@link Works}. */
    long live;
    /** The most of its works that may be on workers at once; -1 for no limit. */
    long limit = -1;

    WorkType(String name) {
        this.name = name;
    }

    /** How many more of its works the pass may place now. */
    long room() {
        return limit < 0 ? Long.MAX_VALUE : Math.max(0, limit - running);
    }

    /** Nothing keeps it: no work, no worker, no limit. */
    boolean idle() {
        return live == 0 && workers.isEmpty() && limit < 0;
    }

    @Override
    public String toString() {
        return name;
    }
}
