package io.proletariat.manager.internal;

import io.netty.channel.EventLoop;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.protocol.RawJson;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The live works and their lives: created by a push, queued or held, finished by a result, or
 * leaving without one (aborted, assign timeout, client gone), each by the same steps, and their
 * assign timeouts. Which worker runs a work is the {@link Scheduler}'s; this class asks it to queue,
 * requeue and free. Core thread only.
 */
final class Works {
    private final EventLoop loop;
    private final ManagerOptions options;
    private final Scheduler scheduler;
    private final Replies replies;
    private final Stats stats;
    private final Events events;
    private final MemoryBudget memory;
    /** Wraps a timer's task so that what it throws reaches the core's error handling. */
    private final UnaryOperator<Runnable> guard;
    /** Asks the core for a pass at the end of the current batch. */
    private final Runnable requestPass;
    final KeyHolds holds = new KeyHolds();
    final Resumption resumption;
    /** Every live work by id (queued, held, assigned or running). */
    private final Map<String, Work> live = new HashMap<>();
    private long workSeq;

    Works(EventLoop loop, ManagerOptions options, Scheduler scheduler, Replies replies, Stats stats, Events events,
          MemoryBudget memory, UnaryOperator<Runnable> guard, Runnable requestPass) {
        this.loop = loop;
        this.options = options;
        this.scheduler = scheduler;
        this.replies = replies;
        this.stats = stats;
        this.events = events;
        this.memory = memory;
        this.guard = guard;
        this.requestPass = requestPass;
        this.graceEndsNanos = loop.ticker().nanoTime();
        this.resumption = new Resumption(Math.max(1 << 20, options.effectiveMaxQueuedBytes() / 8));
    }

    /** The live work with this id, or null. */
    Work get(String id) {
        return live.get(id);
    }

    /** Live works. */
    int size() {
        return live.size();
    }

    // ---------------------------------------------------------------- a push

    /**
     * An accepted push: its works are created, answered with their ids, then queued (or held behind
     * their key). A resent work whose result a returning worker handed over is answered at once; one
     * that such a worker still runs is parked until its result comes ({@link Resumption}).
     */
    void push(Connection c, Inbound.Push p) {
        List<RawJson> args = p.works();
        c.pushed = true;
        c.pendingWorks += args.size();
        memory.queuedBytes += p.argBytes();
        Inbound.Identity identity = p.identity();
        Request request = new Request(c, p.requestKey(), (int) p.priority(), args.size(), identity == null ? null : identity.session());
        c.requests.put(request.key, request);
        String prefix = workIdPrefix();
        for (int i = 0; i < args.size(); i++) {
            RawJson a = args.get(i);
            Work w = new Work(prefix + (workSeq++), request, a, p.runTimeout(), p.assignTimeoutMs(), keyOf(a),
                    identity == null ? i : identity.index(i));
            request.works[i] = w;
            live.put(w.id, w);
        }
        replies.pushAccepted(c, p, request.works);
        stats.pushed += args.size();
        stats.rates.pushed(args.size());
        List<Connection> answered = null; // this client, once it has results at once
        for (Work w : request.works) {
            if (identity != null && identity.resent()) {
                String uid = w.uid();
                RawJson result = resumption.takeResult(uid);
                if (result != null) {
                    events.receive(w);
                    stats.resumed++;
                    complete(w, result, answered = answered == null ? new ArrayList<>(1) : answered);
                    continue;
                }
                resumption.index(w, uid);
                if (resumption.runner(uid) != null || loop.ticker().nanoTime() - graceEndsNanos < 0) {
                    // Its worker runs it still (no assign timeout: it is running), or may come back with it soon.
                    w.moveTo(Work.State.PARKED);
                    if (resumption.runner(uid) == null) {
                        graceParked.add(w);
                        scheduleGraceEnd();
                    }
                    events.receive(w);
                    continue;
                }
            }
            if (w.key == null || !holds.hold(w)) {
                scheduler.queues.addLast(w);
            }
            armAssignTimer(w);
            events.receive(w);
        }
        if (answered != null) {
            replies.results(c, c.results); // after the push's answer, which names their ids
            c.results.clear();
        }
    }

    /**
     * A returning worker's result for an identity: the live work of that identity is answered with
     * it (and aborted on the worker that runs it again, a rerun); with no such work it is stored for
     * the client's resend. True when it answered a work.
     */
    boolean resumed(Inbound.ResumedResult r, Connection from, Map<Connection, List<String>> aborts, List<Connection> results) {
        resumption.ran(r.uid(), from);
        Work w = resumption.work(r.uid());
        if (w == null || !w.live()) {
            resumption.store(r.uid(), r.result());
            return false;
        }
        switch (w.state()) {
            case ASSIGNED, RUNNING -> {
                Connection other = w.worker;
                scheduler.detach(w);
                if (other.open) {
                    aborts.computeIfAbsent(other, k -> new ArrayList<>()).add(w.id);
                }
                stats.rerun++; // it ran twice: here, and on the worker that was lost
            }
            case PREFETCHED -> { // waiting on a worker, never started there: no rerun
                Connection other = w.worker;
                scheduler.detach(w);
                if (other.open) {
                    aborts.computeIfAbsent(other, k -> new ArrayList<>()).add(w.id);
                }
            }
            case QUEUED -> scheduler.queues.removed(w);
            case HELD -> holds.unhold(w);
            default -> { } // PARKED: nothing holds it but the index
        }
        w.cancelAssignTimer();
        stats.resumed++;
        complete(w, r.result(), results);
        if (w.key != null) {
            for (Work held : holds.finished(w)) { // works held behind it share its result, as with a done
                held.cancelAssignTimer();
                complete(held, r.result(), results);
            }
        }
        return true;
    }

    /** Until when ({@link System#nanoTime()}) resent works wait for returning workers; see {@code resumeGrace}. */
    private long graceEndsNanos; // on the loop's clock, which a test can move
    /** Resent works parked for the grace, to queue at its end unless a returning worker took them over. */
    private final List<Work> graceParked = new ArrayList<>();
    private boolean graceEndScheduled;

    /** This manager begins to serve (started, or elected): resent works wait {@code resumeGrace} for returning workers. */
    void beginGrace() {
        graceEndsNanos = loop.ticker().nanoTime() + options.resumeGrace().toNanos();
    }

    private void scheduleGraceEnd() {
        if (!graceEndScheduled) {
            graceEndScheduled = true;
            loop.schedule(guard.apply(this::endGrace), Math.max(0, graceEndsNanos - loop.ticker().nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** The grace is over: resent works no returning worker runs are queued. */
    private void endGrace() {
        graceEndScheduled = false;
        for (Work w : graceParked) {
            if (w.state() == Work.State.PARKED && resumption.runner(w.uid()) == null) {
                scheduler.queues.addLast(w);
                armAssignTimer(w);
            }
        }
        graceParked.clear();
        requestPass.run();
    }

    /** The worker that ran these parked identities left: their works go to the queue, to run again (reruns). */
    void unpark(java.util.Set<String> uids) {
        for (String uid : uids) {
            Work w = resumption.work(uid);
            if (w != null && w.state() == Work.State.PARKED) {
                w.lostRun = true;
                scheduler.queues.addFirst(w);
                armAssignTimer(w);
            }
        }
    }

    private String keyOf(RawJson args) {
        if (!options.holdSimilarWork() || !args.isObject()) {
            return null;
        }
        RawJson key = args.fields().get("_key");
        return key == null || key.isNull() ? null : key.toString();
    }

    /** The prefix of work ids pushed in the millisecond {@link #prefixMs}, built once for all of them. */
    private String prefix;
    private long prefixMs = -1;

    private String workIdPrefix() {
        long ms = System.currentTimeMillis() % 1_000_000;
        if (ms == prefixMs) {
            return prefix;
        }
        prefixMs = ms;
        StringBuilder sb = new StringBuilder(16).append('W');
        String digits = Long.toString(ms);
        for (int i = digits.length(); i < 6; i++) {
            sb.append('0');
        }
        prefix = sb.append(digits).append('R').toString();
        return prefix;
    }

    // ---------------------------------------------------------------- back to the queue

    /**
     * Takes works back from their worker to the front of their queues, keeping their order.
     *
     * @param lost their worker is gone: they may have run, and running them again is a rerun
     */
    void requeue(List<Work> list, boolean lost) {
        stats.requeued += list.size();
        for (int i = list.size() - 1; i >= 0; i--) {
            Work w = list.get(i);
            if (w.request.uidPrefix != null && !w.indexed) {
                resumption.index(w, w.uid()); // its worker may come back with its result
            }
            boolean prefetched = w.state() == Work.State.PREFETCHED; // never started: not a rerun, and its assign timer still runs
            w.lostRun |= lost && !prefetched;
            scheduler.detach(w);
            scheduler.queues.addFirst(w);
            if (!prefetched) {
                armAssignTimer(w);
            }
        }
    }

    // ---------------------------------------------------------------- results

    /** A work's result arrived: it and every work held under its key are finished with it, into their clients' done frames ({@code results}). */
    void finish(Work w, Inbound.DoneItem item, String workerId, List<Connection> results) {
        RawJson result = item.result();
        if (w.state() == Work.State.PREFETCHED) {
            scheduler.started(w); // started and finished on its worker before the manager read the start
        }
        stats.runTime.observe(System.nanoTime() - w.assignedNanos);
        scheduler.detach(w);
        complete(w, result, results);
        if (item.errorCode() != null) {
            stats.failed(w, workerId, item.errorCode(), item.error());
        }
        if (w.key != null) {
            for (Work held : holds.finished(w)) {
                held.cancelAssignTimer();
                complete(held, result, results);
                if (item.errorCode() != null) {
                    stats.failed(held, workerId, item.errorCode(), item.error());
                }
            }
        }
    }

    /**
     * A work has its result: it is done, and its result goes into its client's done frame (its
     * {@link Connection#results}; {@code results} lists each such client once).
     */
    private void complete(Work w, RawJson result, List<Connection> results) {
        w.moveTo(Work.State.DONE);
        w.result = result;
        forget(w);
        stats.finished++;
        stats.rates.finished();
        stats.endToEnd.observe(System.nanoTime() - w.pushedNanos);
        closeOne(w.request);
        Connection client = w.request.client;
        if (client.results.isEmpty()) {
            results.add(client);
        }
        client.results.add(w);
        events.finish(w, result);
    }

    // ---------------------------------------------------------------- leaving without a result

    /** Removes a live work without a result, wherever it is (collecting the abort its worker is to get). */
    void drop(Work w, Map<Connection, List<String>> aborts) {
        if (w.state() == Work.State.ASSIGNED || w.state() == Work.State.RUNNING || w.state() == Work.State.PREFETCHED) {
            Connection worker = w.worker;
            scheduler.detach(w);
            if (worker.open) {
                aborts.computeIfAbsent(worker, k -> new ArrayList<>()).add(w.id);
            }
        } else if (!unqueue(w)) {
            return;
        }
        leave(w);
    }

    private void armAssignTimer(Work w) {
        if (w.assignTimeoutMs > 0) {
            w.assignTimer = loop.schedule(guard.apply(() -> assignTimedOut(w)), w.assignTimeoutMs, TimeUnit.MILLISECONDS);
        }
    }

    /** No worker took the work within its {@code assigntimeout}: its client gets an EATO result. */
    private void assignTimedOut(Work w) {
        w.assignTimer = null;
        if (w.state() == Work.State.PREFETCHED) {
            // Still waiting, on a worker: taken back from it (it drops the work unstarted; one started meanwhile is cancelled).
            Connection worker = w.worker;
            scheduler.detach(w);
            if (worker.open) {
                replies.aborts(worker, List.of(w.id));
            }
            w.moveTo(Work.State.DONE);
        } else if (!unqueue(w)) {
            return;
        }
        leave(w);
        w.result = Replies.EATO_RESULT;
        replies.results(w.request.client, List.of(w));
        stats.assignTimeouts++;
        stats.finished++;
        stats.rates.finished();
        stats.endToEnd.observe(System.nanoTime() - w.pushedNanos);
        stats.failed(w, null, "EATO", Replies.EATO_ERROR);
        events.assignTimeout(w);
        requestPass.run();
    }

    /** Takes a queued or held work out of its queue or hold, done; false when it was elsewhere. */
    private boolean unqueue(Work w) {
        Work.State was = w.state();
        if (was != Work.State.QUEUED && was != Work.State.HELD && was != Work.State.PARKED) {
            return false;
        }
        w.moveTo(Work.State.DONE);
        if (was == Work.State.QUEUED) {
            scheduler.queues.removed(w);
        } else if (was == Work.State.HELD) {
            holds.unhold(w);
        }
        return true;
    }

    /** The steps of every work leaving without a result: done, forgotten, counted out of its request, its key passed on. */
    private void leave(Work w) {
        if (w.live()) {
            w.moveTo(Work.State.DONE);
        }
        forget(w);
        w.cancelAssignTimer();
        closeOne(w.request);
        Work next = holds.release(w);
        if (next != null) {
            scheduler.queues.addLast(next);
        }
    }

    /** Removes an ended work from the index, and its args from the memory budget. */
    private void forget(Work w) {
        if (w.indexed) {
            resumption.unindex(w);
        }
        if (live.remove(w.id) != null) {
            memory.queuedBytes -= w.args.byteLength();
        }
    }

    /** One work of the request is answered or gone; the request is forgotten with its last. */
    private static void closeOne(Request r) {
        r.client.pendingWorks--;
        if (--r.open == 0) {
            r.client.requests.remove(r.key, r);
        }
    }
}
