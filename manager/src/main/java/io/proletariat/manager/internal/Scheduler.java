package io.proletariat.manager.internal;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.manager.WorkSelector;
import io.proletariat.manager.WorkerSlots;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which worker runs which work: the queues, the workers' slots and priority ranges (guaranteed
 * ranges in sacred mode), and the distribution pass that places queued works, highest priority
 * first, through the {@link WorkSelector}; works of a named type only on the workers that offered
 * it, and no more at once than its limit ({@link WorkTypes}, {@link TypedPass}). Also the two waits of the pass: {@code AVAIL_THRESHOLD}
 * (after a full moment, wait for enough free slots, never past {@code DISTRIB_RANDMAX}) and the
 * backoff of a worker that rejected works. Core thread only; the pass runs once per batch of events
 * ({@link DispatchCore}).
 */
final class Scheduler {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    /** The pass skips a worker that rejected works for this long, doubling per rejection up to the max. */
    static final long REJECT_BACKOFF_MIN_MS = 100;
    static final long REJECT_BACKOFF_MAX_MS = 1000;

    private final EventLoop loop;
    private final ManagerOptions options;
    private final WorkSelector selector;
    private final Replies replies;
    private final Events events;
    private final Stats stats;
    /** Asks the core for a pass at the end of the current batch. */
    private final Runnable requestPass;
    /** Wraps a timer's task so that what it throws reaches the core's error handling. */
    private final UnaryOperator<Runnable> guard;

    /** The untyped works' queues; each work type has its own ({@link WorkTypes}). */
    final WorkQueues queues = new WorkQueues();
    final WorkTypes types;
    /** Works our workers hold beyond their slots. */
    final Prefetch prefetch;
    /** Workers in the order they offered. */
    final List<Connection> workers = new ArrayList<>();
    private long globalTotal;
    private long globalBusy;
    /** Workers given works in the current pass (each collects them in {@link Connection#batch}). */
    private final List<Connection> batched = new ArrayList<>();
    /** The pass's workers with free slots at the level being placed, and the works none of them could take: reused by every pass. */
    private final List<Candidate> candidates = new ArrayList<>();
    private final List<Work> skipped = new ArrayList<>();
    /** AVAIL_THRESHOLD state: works were left waiting with every slot taken, since {@link #fullSinceNanos}. */
    private boolean wasFull;
    private long fullSinceNanos;
    private ScheduledFuture<?> deferredPass;

    /** A worker with room, as the selector sees it during one priority level of a pass. */
    private static final class Candidate implements WorkerSlots {
        final Connection worker;
        int available;

        Candidate(Connection worker, int available) {
            this.worker = worker;
            this.available = available;
        }

        @Override
        public String id() {
            return worker.id;
        }

        @Override
        public int available() {
            return available;
        }
    }

    Scheduler(EventLoop loop, ManagerOptions options, Replies replies, Events events, Stats stats, Runnable requestPass,
              UnaryOperator<Runnable> guard) {
        this.loop = loop;
        this.options = options;
        this.selector = options.workSelector();
        this.replies = replies;
        this.events = events;
        this.stats = stats;
        this.requestPass = requestPass;
        this.guard = guard;
        this.types = new WorkTypes(options.maxWorkTypes(), options.typeLimits());
        this.prefetch = new Prefetch(this, replies);
    }

    /** The queues a work waits in: its type's, or the untyped ones. */
    WorkQueues queuesOf(Work w) {
        WorkType t = w.request.type;
        return t == null ? queues : t.queues;
    }

    /** Works queued, of every type. */
    long queuedWorks() {
        return queues.size() + types.queued();
    }

    /** Slots of every worker. */
    long totalSlots() {
        return globalTotal;
    }

    /** Works assigned to or running on workers. */
    long busySlots() {
        return globalBusy;
    }

    // ---------------------------------------------------------------- workers

    /** A worker's valid offer of untyped works (the original's): its slots and ranges join the pool. */
    void offered(Connection c, TreeMap<Integer, Long> offer) {
        offered(c, offer, WorkTypes.NONE, true);
    }

    /** A worker's valid offer: its slots and ranges join the pool, for untyped works unless it named types only. */
    void offered(Connection c, TreeMap<Integer, Long> offer, WorkType[] workTypes, boolean untyped) {
        c.workTypes = workTypes;
        c.takesUntyped = workTypes.length == 0 || untyped;
        types.join(c, workTypes);
        c.offered = true;
        c.offer = offer;
        c.ranges = Offers.ranges(offer, options.sacredGuarantees());
        c.totalSlots = offer.values().stream().mapToLong(Long::longValue).sum();
        workers.add(c);
        globalTotal += c.totalSlots;
        endFullWait(); // new capacity: no reason to wait for slots to free up
    }

    /**
     * A worker that is leaving gracefully: its total shrinks to the works it holds and shrinks
     * further as each is answered or requeued (see {@link #detach}), so nothing new is sent to it.
     */
    void drain(Connection c) {
        if (!c.draining) {
            c.draining = true;
            globalTotal -= c.totalSlots - c.busy;
            c.totalSlots = c.busy;
            log.info("worker {} is leaving: it finishes its {} running works and takes no more", c.id, c.busy);
        }
    }

    /** A worker's connection closed; its works were requeued already. */
    void removeWorker(Connection c) {
        if (c.pauseTimer != null) {
            c.pauseTimer.cancel(false);
        }
        if (c.offered) {
            workers.remove(c);
            prefetch.removed(c);
            globalTotal -= c.totalSlots;
            types.leave(c);
        }
    }

    /** Frees the slot a work holds on its worker, if any. */
    void detach(Work w) {
        Connection worker = w.worker;
        if (worker == null) {
            return;
        }
        worker.works.remove(w.id);
        w.prefetchUnanswered = false; // an answer still to come names a work this worker no longer holds here
        if (w.range == null) { // prefetched: it holds no slot
            if (!w.recalling) {
                worker.prefetched.remove(w);
            }
            w.recalling = false;
            w.worker = null;
            return;
        }
        w.range.used--;
        worker.busy--;
        globalBusy--;
        WorkType type = w.request.type;
        if (type != null) { // its share of the type's limit is free: the one place a work leaves its worker
            type.running--;
        }
        if (worker.draining) { // a leaving worker's capacity shrinks with each slot it frees
            worker.totalSlots--;
            globalTotal--;
        }
        w.worker = null;
        w.range = null;
    }

    // ---------------------------------------------------------------- rejections

    /** Passes over a worker for the priorities it rejected, for a backoff doubling per rejection (100 ms to 1 s). */
    void pause(Connection c, Iterable<Work> rejected) {
        int from = Integer.MAX_VALUE;
        int to = Integer.MIN_VALUE;
        for (Work w : rejected) {
            from = Math.min(from, w.priority());
            to = Math.max(to, w.priority());
        }
        if (c.paused) {
            from = Math.min(from, c.pausedFrom);
            to = Math.max(to, c.pausedTo);
        }
        c.paused = true;
        c.pausedFrom = from;
        c.pausedTo = to;
        c.backoffMillis = c.backoffMillis == 0 ? REJECT_BACKOFF_MIN_MS : Math.min(REJECT_BACKOFF_MAX_MS, c.backoffMillis * 2);
        if (c.pauseTimer != null) {
            c.pauseTimer.cancel(false);
        }
        c.pauseTimer = loop.schedule(guard.apply(() -> {
            c.pauseTimer = null;
            resume(c);
        }), c.backoffMillis, TimeUnit.MILLISECONDS);
    }

    /** The worker delivered results: it works again, so its backoff ends. */
    void delivered(Connection c) {
        if (c.backoffMillis > 0) {
            c.backoffMillis = 0;
            resume(c);
        }
    }

    /** Ends a worker's pause after a rejection; it is offered works again in the next pass. */
    private void resume(Connection c) {
        if (c.pauseTimer != null) {
            c.pauseTimer.cancel(false);
            c.pauseTimer = null;
        }
        if (c.paused && c.open) {
            c.paused = false;
            requestPass.run();
        }
    }

    // ---------------------------------------------------------------- the pass

    /** Places queued works on workers with free slots, then sends each worker its works in one frame. */
    void pass() {
        if (prefetch.any()) {
            prefetch.promoteFirst(queues);
        }
        if ((queues.size() > 0 || !types.offered.isEmpty()) && !workers.isEmpty()) {
            placeInSlots();
        }
        if (prefetch.any()) {
            prefetch.pass(queues);
        }
        for (int i = 0; i < batched.size(); i++) {
            Connection worker = batched.get(i);
            List<Work> batch = worker.batch;
            replies.dispatch(worker, batch);
            for (int j = 0; j < batch.size(); j++) {
                events.assign(batch.get(j), worker.id);
            }
            batch.clear();
        }
        batched.clear();
    }

    /** The pass proper: queued works into free slots, highest priority first. */
    private void placeInSlots() {
        long free = globalTotal - globalBusy;
        if (free <= 0) {
            return;
        }
        if (wasFull && free < Math.min(options.availThreshold(), globalTotal)) {
            // Wait for more free slots to place works together, but never past DISTRIB_RANDMAX.
            long waitLeft = options.distribRandMax().toNanos() - (loop.ticker().nanoTime() - fullSinceNanos);
            if (waitLeft > 0) {
                if (deferredPass == null) {
                    deferredPass = loop.schedule(guard.apply(() -> {
                        deferredPass = null;
                        requestPass.run();
                    }), waitLeft, TimeUnit.NANOSECONDS);
                }
                return;
            }
        }
        endFullWait();
        if (types.offered.isEmpty()) {
            // Untyped works only (the original's case): the levels in order, as they come.
            for (Iterator<WorkQueues.Level> it = queues.highestFirst(); it.hasNext() && globalBusy < globalTotal; ) {
                place(it.next(), workers, null);
            }
        } else {
            TypedPass.levels(this, typedLevels);
            for (int i = 0; i < typedLevels.size() && globalBusy < globalTotal; i++) {
                WorkQueues.Level level = typedLevels.get(i);
                WorkType type = level.owner.type;
                place(level, type == null ? workers : type.workers, type);
            }
            typedLevels.clear();
        }
        candidates.clear();
        if (globalBusy >= globalTotal && !wasFull && (queues.size() > 0 || TypedPass.queued(types) > 0)) {
            wasFull = true;
            fullSinceNanos = loop.ticker().nanoTime(); // the loop's clock, which a test can move
        }
    }

    /** The levels of every queue a pass looks at when workers offered types (reused by every pass). */
    private final List<WorkQueues.Level> typedLevels = new ArrayList<>();

    /**
     * Places a level's works on the workers of {@code pool} with room for its priority; for a work type,
     * no more than its limit lets run ({@link WorkType#room()}).
     */
    private void place(WorkQueues.Level level, List<Connection> pool, WorkType type) {
        List<Candidate> candidates = this.candidates;
        List<Work> skipped = this.skipped;
        long room = type == null ? Long.MAX_VALUE : type.room();
        if (room == 0) {
            return;
        }
        WorkQueues owner = level.owner;
        candidates.clear();
        long total = 0;
        for (Connection worker : pool) {
            if (worker.pausedFor(level.priority) || worker.closing || type == null && !worker.takesUntyped) {
                continue; // paused after rejections, being closed for abuse, or a worker of named types only
            }
            long available = worker.availableFor(level.priority);
            if (available > 0) {
                candidates.add(new Candidate(worker, (int) Math.min(available, Integer.MAX_VALUE)));
                total += available;
            }
        }
        while (total > 0 && room > 0 && !candidates.isEmpty()) {
            Work w = level.poll();
            if (w == null) {
                break;
            }
            owner.polled();
            Candidate chosen = select(w, candidates, (int) Math.min(total, Integer.MAX_VALUE));
            if (chosen == null) {
                skipped.add(w);
                continue;
            }
            assign(w, chosen.worker);
            total--;
            room--;
            if (--chosen.available == 0) {
                candidates.remove(chosen);
            }
        }
        for (int i = skipped.size() - 1; i >= 0; i--) {
            owner.putBack(skipped.get(i));
        }
        skipped.clear();
        candidates.clear();
    }

    private void endFullWait() {
        wasFull = false;
        if (deferredPass != null) {
            deferredPass.cancel(false);
            deferredPass = null;
        }
    }

    private Candidate select(Work w, List<Candidate> candidates, int total) {
        WorkerSlots chosen;
        try {
            chosen = selector.select(w, candidates, total);
        } catch (RuntimeException e) {
            log.warn("work selector failed on {}; using the default", w.id, e);
            chosen = WorkSelector.weightedRandom().select(w, candidates, total);
        }
        if (chosen == null) {
            return null;
        }
        for (Candidate c : candidates) {
            if (c == chosen) {
                return c;
            }
        }
        log.warn("work selector returned {}, which is not a candidate; leaving {} queued", chosen, w.id);
        return null;
    }

    /**
     * Sends a queued work to a worker beyond its slots (its prefetch): it takes no slot, and its
     * assign timer runs on until the worker reports it started it ({@link #started}).
     */
    void prefetch(Work w, Connection worker) {
        w.moveTo(Work.State.PREFETCHED);
        w.prefetchUnanswered = true;
        w.worker = worker;
        w.range = null;
        worker.works.put(w.id, w);
        worker.prefetched.add(w);
        batch(worker, w);
    }

    /** A prefetched work goes into a free slot of its worker, dispatched again as an ordinary work. */
    void promote(Work w, Connection worker) {
        assign(w, worker);
    }

    /** The worker started a prefetched work, on a slot the result in the same frame freed: now it holds that slot. */
    void started(Work w) {
        Connection worker = w.worker;
        if (!w.recalling) {
            worker.prefetched.remove(w);
        }
        w.recalling = false;
        w.cancelAssignTimer();
        long now = System.nanoTime();
        w.assignedNanos = now;
        stats.timeInQueue.observe(now - w.queuedNanos);
        stats.assigned++;
        w.moveTo(Work.State.RUNNING);
        w.range = worker.rangeFor(w.priority());
        w.range.used++;
        worker.busy++;
        globalBusy++;
        if (worker.draining) { // its total is what it runs: it grows with a start, as it shrinks with each slot freed
            worker.totalSlots++;
            globalTotal++;
        }
    }

    /** Gives a work polled from its queue to a worker; the pass sends it with the worker's batch. */
    private void assign(Work w, Connection worker) {
        w.cancelAssignTimer();
        long now = System.nanoTime();
        w.assignedNanos = now;
        stats.timeInQueue.observe(now - w.queuedNanos);
        stats.assigned++;
        w.moveTo(Work.State.ASSIGNED);
        w.worker = worker;
        w.range = worker.rangeFor(w.priority());
        w.range.used++;
        worker.busy++;
        globalBusy++;
        WorkType type = w.request.type;
        if (type != null) {
            type.running++;
        }
        worker.works.put(w.id, w);
        batch(worker, w);
    }

    private void batch(Connection worker, Work w) {
        if (worker.batch.isEmpty()) {
            batched.add(worker);
        }
        worker.batch.add(w);
    }
}
