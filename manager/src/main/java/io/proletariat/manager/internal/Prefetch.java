package io.proletariat.manager.internal;

import io.proletariat.protocol.RawJson;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Our workers' prefetch (docs/protocol.md, "Prefetch"): a worker that offers {@code prefetch: N}
 * with a single range may hold N works beyond its slots, in a local queue ordered by priority, and
 * starts one as soon as a work it answers frees a slot, without waiting for the manager. A
 * prefetched work ({@link Work.State#PREFETCHED}) holds no slot and its assign timer runs on; it
 * takes a slot when the worker reports it started ({@code started} in a done frame).
 *
 * <p>The stage runs at the end of each pass, over the workers granted a prefetch only: it
 * <em>promotes</em> prefetched works into slots that are free (the worker had no answered work to
 * start them on: they are dispatched again, as ordinary works), fills each worker's prefetch from the
 * queues, highest priority first, and <em>recalls</em> a prefetched work that a queued work of
 * higher priority would otherwise wait behind. The worker answers a recall with either {@code started}
 * (it started the work before the recall arrived) or {@code recalled} (it gave it back unstarted):
 * exactly one of the two, so the race is decided by the worker's order. Core thread only.
 */
final class Prefetch {
    /** The largest prefetch an offer may ask for. */
    static final int MAX = 1000;

    private final Scheduler scheduler;
    private final Replies replies;
    /** Workers granted a prefetch, in the order they offered: the only ones this stage looks at. */
    private final List<Connection> workers = new ArrayList<>();
    /** Ids recalled from one worker in this pass (reused). */
    private final List<String> recalls = new ArrayList<>();

    Prefetch(Scheduler scheduler, Replies replies) {
        this.scheduler = scheduler;
        this.replies = replies;
    }

    /** An offer's {@code prefetch}: 0 when absent or null, -1 when invalid (not an integer in 0..{@value #MAX}). */
    static int parse(RawJson value) {
        if (value == null || value.isNull()) {
            return 0;
        }
        if (!value.isNumber()) {
            return -1;
        }
        double n = value.asDouble();
        return n >= 0 && n <= MAX && n == Math.floor(n) ? (int) n : -1;
    }

    /**
     * A worker's accepted offer: the prefetch it asked for, granted when its offer is one range of
     * untyped works only (prefetch fills from the untyped queues, and a typed worker's queues and
     * limits are the typed pass's).
     */
    void offered(Connection c, int asked) {
        c.prefetch = c.ranges.length == 1 && c.workTypes.length == 0 ? asked : 0;
        if (c.prefetch > 0) {
            workers.add(c);
        }
    }

    void removed(Connection c) {
        if (c.prefetch > 0) {
            workers.remove(c);
        }
    }

    /** True when a worker holds prefetched works or may be given some. */
    boolean any() {
        return !workers.isEmpty();
    }

    /**
     * Before the pass fills free slots from the queues: prefetched works at least as urgent as every
     * queued work take the free slots of their workers first (they were sent before those works came).
     */
    void promoteFirst(WorkQueues queues) {
        Iterator<WorkQueues.Level> it = queues.highestFirst();
        int top = it.hasNext() ? it.next().priority : Integer.MIN_VALUE;
        for (int i = 0; i < workers.size(); i++) {
            Connection c = workers.get(i);
            if (!c.closing) {
                promote(c, top);
            }
        }
    }

    /** After the pass filled free slots from the queues: promotions into slots still free, then prefetch and recalls. */
    void pass(WorkQueues queues) {
        for (int i = 0; i < workers.size(); i++) {
            Connection c = workers.get(i);
            if (c.closing) {
                continue;
            }
            promote(c, Integer.MIN_VALUE);
            if (!c.draining && !c.paused && queues.size() > 0) {
                fill(c, queues);
            }
        }
    }

    /** Free slots while prefetched works wait (the worker had no answered work to start them on): dispatch them into the slots. */
    private void promote(Connection c, int minPriority) {
        while (!c.prefetched.isEmpty() && c.totalSlots - c.busy > 0) {
            Work best = best(c.prefetched);
            if (best.priority() < minPriority || c.availableFor(best.priority()) <= 0) {
                return;
            }
            c.prefetched.remove(best);
            scheduler.promote(best, c);
        }
    }

    private void fill(Connection c, WorkQueues queues) {
        while (true) {
            if (c.prefetched.size() < c.prefetch) {
                Iterator<WorkQueues.Level> it = queues.highestFirst();
                Work w = null;
                while (w == null && it.hasNext()) {
                    w = it.next().poll();
                }
                if (w == null) {
                    break;
                }
                queues.polled();
                scheduler.prefetch(w, c);
                continue;
            }
            // Full: a queued work of a higher priority must not wait behind the lowest prefetched one.
            Iterator<WorkQueues.Level> it = queues.highestFirst();
            Work lowest = lowest(c.prefetched);
            if (!it.hasNext() || lowest == null || lowest.priority() >= it.next().priority) {
                break;
            }
            c.prefetched.remove(lowest);
            lowest.recalling = true;
            recalls.add(lowest.id);
        }
        if (!recalls.isEmpty()) {
            replies.recall(c, recalls); // before the dispatch frame, which may carry the works that overtake
            recalls.clear();
        }
    }

    /** The highest priority's oldest prefetched work. */
    private static Work best(List<Work> list) {
        Work best = null;
        for (int i = 0; i < list.size(); i++) {
            Work w = list.get(i);
            if (best == null || w.priority() > best.priority()) {
                best = w;
            }
        }
        return best;
    }

    /** The lowest priority's newest prefetched work. */
    private static Work lowest(List<Work> list) {
        Work lowest = null;
        for (int i = list.size() - 1; i >= 0; i--) {
            Work w = list.get(i);
            if (lowest == null || w.priority() < lowest.priority()) {
                lowest = w;
            }
        }
        return lowest;
    }
}
