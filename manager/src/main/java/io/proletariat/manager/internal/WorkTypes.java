package io.proletariat.manager.internal;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The work types the manager knows, bounded: a type exists while it has live works, workers that
 * offered it or a limit, and is forgotten when it has none of them; at most {@code max} exist at
 * once, so a peer cannot grow the manager's memory by inventing names (beyond, {@code ETOOMANYTYPES}).
 * Also the limits (throttles) on how many works of a type run at once over all workers. Core thread only.
 */
final class WorkTypes {
    /** The types of a worker that offered none. */
    static final WorkType[] NONE = new WorkType[0];
    private final int max;
    /** By name, sorted for status. */
    private final TreeMap<String, WorkType> byName = new TreeMap<>();
    /** Types some worker offered: the ones a pass looks at. */
    final Set<WorkType> offered = new LinkedHashSet<>();

    WorkTypes(int max, Map<String, Integer> limits) {
        this.max = max;
        limits.forEach((name, limit) -> {
            WorkType t = obtain(name);
            if (t != null) {
                t.limit = limit;
            }
        });
    }

    /** The type of this name, or null when it does not exist. */
    WorkType get(String name) {
        return byName.get(name);
    }

    /** The type of this name, made when needed; null when {@code max} types exist already. */
    WorkType obtain(String name) {
        WorkType t = byName.get(name);
        if (t == null) {
            if (byName.size() >= max) {
                return null;
            }
            t = new WorkType(name);
            byName.put(name, t);
        }
        return t;
    }

    /** Forgets a type nothing keeps any more (its queues hold only works that left). */
    void release(WorkType t) {
        if (t.idle() && byName.get(t.name) == t) {
            byName.remove(t.name);
        }
    }

    /** A worker offered these types. */
    void join(Connection worker, WorkType[] types) {
        for (WorkType t : types) {
            t.workers.add(worker);
            offered.add(t);
        }
    }

    /** A worker that offered types left. */
    void leave(Connection worker) {
        for (WorkType t : worker.workTypes) {
            t.workers.remove(worker);
            if (t.workers.isEmpty()) {
                offered.remove(t);
                release(t);
            }
        }
    }

    /** Sets (max ≥ 0) or removes (max &lt; 0) a type's limit; false when the type cannot be made ({@code ETOOMANYTYPES}). */
    boolean limit(String name, long max) {
        WorkType t = max < 0 ? byName.get(name) : obtain(name);
        if (t == null) {
            return max < 0;
        }
        t.limit = max;
        release(t);
        return true;
    }

    /** Every type, by name. */
    Collection<WorkType> all() {
        return byName.values();
    }

    /** Works queued in every type's queues. */
    long queued() {
        long n = 0;
        for (WorkType t : byName.values()) {
            n += t.queues.size();
        }
        return n;
    }

    int size() {
        return byName.size();
    }
}
