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
 * assign timeouts; delayed works and retries, which wait in {@link WaitingWorks} (a failed attempt
 * with retries left goes there instead of to its client). {@link #drop} removes a work from
 * wherever it is. Which worker runs a work is the {@link Scheduler}'s; this class asks it to queue,
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
    /** Delayed works and retries in their backoff, by due time: one heap, one timer. */
    final WaitingWorks waiting;
    /** The retries of pushes that do not ask (the manager's defaults); null for none. */
    private final Retry.Policy defaultRetries;
    /** The jitter of backoffs; a test sets a seeded one. */
    java.util.random.RandomGenerator random = new java.util.SplittableRandom();
    /** Works in {@link #waiting} that are delayed, and that wait for a retry. */
    private int delayed;
    private int retrying;
    /**
     * A retry of a client that left waits this long at least, beyond its backoff, for the client to
     * come back and resend it (then the resend takes its place and its attempts); dropped after.
     */
    static final long KEEP_FOR_RESEND_NANOS = TimeUnit.SECONDS.toNanos(60);

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
        this.waiting = new WaitingWorks(loop, guard);
        waiting.onDue(this::due);
        int on = 0;
        for (String name : options.retryOn()) {
            on |= Retry.Policy.bit(name);
        }
        this.defaultRetries = options.retries() == 0 ? null
                : new Retry.Policy(options.retries(), options.backoff().toMillis(), options.backoffMax().toMillis(), on);
    }

    /** Works waiting for their {@code delay} or {@code notBefore}. */
    int delayed() {
        return delayed;
    }

    /** Works waiting for a retry's backoff to end. */
    int retrying() {
        return retrying;
    }

    /** Why a push's retries or delay are refused ({@code EINVRETRY}, {@code EINVDELAY}, {@code ETOOMANYDELAYED}); null when they are fine or absent. */
    io.proletariat.protocol.WireError timingRefusal(Inbound.Push p) {
        PushTiming t = p.timing();
        if (t == null) {
            return null;
        }
        if (t.invalid() != null) {
            return t.invalid();
        }
        if (t.delayMs() > 0 && (long) delayed + p.works().size() > options.maxDelayed()) {
            return io.proletariat.protocol.WireError.ETOOMANYDELAYED;
        }
        return null;
    }

    /** The live work with this id, or null. */
    Work get(String id) {
        return live.get(id);
    }

    /** Live works. */
    int size() {
        return live.size();
    }

    /** Every live work, in no order (an operator's {@code works}: {@link OperatorCommands}). */
    Iterable<Work> all() {
        return live.values();
    }

    /** Whether this manager ever gave out this work id ({@code W<6 digits>R<sequence>}): tells an ended work from an unknown id. */
    boolean issued(String id) {
        if (id.length() < 9 || id.length() > 26 || id.charAt(0) != 'W' || id.charAt(7) != 'R') {
            return false;
        }
        for (int i = 1; i < id.length(); i++) {
            if (i != 7 && (id.charAt(i) < '0' || id.charAt(i) > '9')) {
                return false;
            }
        }
        return Long.parseLong(id.substring(8)) < workSeq;
    }

    // ---------------------------------------------------------------- a push

    /**
     * An accepted push: its works are created, answered with their ids, then queued (or held behind
     * their key). A resent work whose result a returning worker handed over is answered at once; one
     * that such a worker still runs is parked until its result comes ({@link Resumption}).
     */
    void push(Connection c, Inbound.Push p, WorkType type) {
        List<RawJson> args = p.works();
        c.pushed = true;
        c.pendingWorks += args.size();
        memory.queuedBytes += p.argBytes();
        Inbound.Identity identity = p.identity();
        Request request = new Request(c, p.requestKey(), (int) p.priority(), args.size(), identity == null ? null : identity.session());
        if (type != null) {
            request.type = type;
            type.live += args.size();
        }
        request.progress = p.progress();
        c.requests.put(request.key, request);
        String prefix = workIdPrefix();
        PushTiming timing = p.timing();
        Retry.Policy policy = timing == null ? defaultRetries : timing.policy(defaultRetries);
        long delayNanos = timing == null ? 0 : TimeUnit.MILLISECONDS.toNanos(timing.delayMs());
        long due = delayNanos > 0 ? waiting.now() + delayNanos : 0;
        for (int i = 0; i < args.size(); i++) {
            RawJson a = args.get(i);
            Work w = new Work(prefix + (workSeq++), request, a, p.runTimeout(), p.assignTimeoutMs(), keyOf(a),
                    identity == null ? i : identity.index(i));
            if (policy != null) {
                w.retry = new Retry(policy);
            }
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
                Work held = resumption.work(uid);
                if (held != null && held != w && held.state() == Work.State.RETRY_WAIT) {
                    takeOver(held, w); // the manager holds it for a retry: the resend waits out that backoff, not a second run
                    events.receive(w);
                    continue;
                }
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
            if (delayNanos > 0) {
                await(w, Work.State.DELAYED, due); // its assign timeout starts when it is due
                events.receive(w);
                continue;
            }
            if (w.key == null || !holds.hold(w)) {
                scheduler.queuesOf(w).addLast(w);
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
            case ASSIGNED, RUNNING, PREFETCHED -> {
                if (w.state() != Work.State.PREFETCHED) {
                    stats.rerun++; // it ran twice: here, and on the worker that was lost (a prefetched one never started)
                }
                Connection other = w.worker;
                scheduler.detach(w);
                if (other.open) {
                    aborts.computeIfAbsent(other, k -> new ArrayList<>()).add(w.id);
                }
            }
            case QUEUED -> scheduler.queuesOf(w).removed(w);
            case HELD -> holds.unhold(w);
            case DELAYED, RETRY_WAIT -> unwait(w);
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
                scheduler.queuesOf(w).addLast(w);
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
                scheduler.queuesOf(w).addFirst(w);
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
        List<Connection> results = null; // clients of works whose last attempt was lost
        for (int i = list.size() - 1; i >= 0; i--) {
            Work w = list.get(i);
            if (w.request.uidPrefix != null && !w.indexed) {
                resumption.index(w, w.uid()); // its worker may come back with its result
            }
            boolean prefetched = w.state() == Work.State.PREFETCHED; // never started: not a rerun, nor a lost attempt; its assign timer still runs
            scheduler.detach(w);
            if (lost && !prefetched && w.retry != null && w.retry.policy.countsLost()) {
                // A lost run counts as an attempt: a work that kills its workers ends after its retries.
                w.retry.attempts++;
                w.retry.lastError = Retry.LOST_ERROR;
                if (w.retry.left()) {
                    retryLater(w);
                } else {
                    giveUp(w, Retry.LOST_RESULT, Retry.LOST_ERROR, null, results = results == null ? new ArrayList<>(1) : results);
                }
                continue;
            }
            stats.requeued++;
            w.lostRun |= lost && !prefetched;
            scheduler.queuesOf(w).addFirst(w);
            if (!prefetched) {
                armAssignTimer(w);
            }
        }
        if (results != null) {
            for (Connection client : results) {
                replies.results(client, client.results);
                client.results.clear();
            }
        }
    }

    // ---------------------------------------------------------------- retries and delays

    /** A failed attempt with retries left: the work waits for its backoff in {@link #waiting}, then goes to the back of its queue. */
    private void retryLater(Work w) {
        Retry r = w.retry;
        long due = waiting.now() + TimeUnit.MILLISECONDS.toNanos(r.policy.backoffMs(r.attempts, random));
        r.retryDueNanos = due;
        if (w.request.uidPrefix != null && !w.indexed) {
            resumption.index(w, w.uid()); // a resend after a reconnect finds it, and does not run it twice
        }
        await(w, Work.State.RETRY_WAIT, due);
        stats.retried++;
    }

    /** A work's last attempt failed: it finishes with that result, and so do the works held behind its key. */
    private void giveUp(Work w, RawJson result, RawJson error, String workerId, List<Connection> results) {
        stats.retriesExhausted++;
        complete(w, result, results);
        stats.failed(w, workerId, "EWORKERLOST", error);
        if (w.key != null) {
            for (Work held : holds.finished(w)) {
                held.cancelAssignTimer();
                complete(held, result, results);
            }
        }
    }

    /** Puts a work in {@link #waiting} until {@code due} (the loop's clock). */
    private void await(Work w, Work.State state, long due) {
        w.moveTo(state);
        waiting.add(w, due);
        if (state == Work.State.DELAYED) {
            delayed++;
        } else {
            retrying++;
        }
    }

    /** Takes a work out of {@link #waiting}, before it leaves its state. */
    private void unwait(Work w) {
        if (waiting.remove(w)) {
            if (w.state() == Work.State.DELAYED) {
                delayed--;
            } else {
                retrying--;
            }
        }
    }

    /** A waiting work is due: a delayed one is queued (or held behind its key), a retry goes to the back of its queue. */
    private void due(Work w) {
        if (w.state() == Work.State.DELAYED) {
            delayed--;
            if (w.key == null || !holds.hold(w)) {
                scheduler.queuesOf(w).addLast(w);
            }
        } else {
            retrying--;
            if (!w.request.client.open) {
                // Its client left and did not come back for it within KEEP_FOR_RESEND_NANOS.
                leave(w);
                stats.givenUp++;
                events.giveUp(w);
                return;
            }
            scheduler.queuesOf(w).addLast(w);
        }
        armAssignTimer(w); // the assign timeout counts from when the work is eligible
        requestPass.run();
    }

    /**
     * Its client left: a retry in its backoff that has an identity is kept (its backoff, and at least
     * {@link #KEEP_FOR_RESEND_NANOS}) for the client's resend after a reconnect, which takes its place
     * and its attempts. False for every other work, which the client's leaving drops.
     */
    boolean keepForResend(Work w) {
        if (w.state() != Work.State.RETRY_WAIT || w.request.uidPrefix == null || !w.indexed) {
            return false;
        }
        waiting.remove(w);
        waiting.add(w, Math.max(w.retry.retryDueNanos, waiting.now() + KEEP_FOR_RESEND_NANOS));
        return true;
    }

    /**
     * A client resent a work the manager holds for a retry (after a reconnect, or a connection it has
     * not seen die yet): the new work takes the old one's place, its attempts and its backoff's end.
     */
    private void takeOver(Work old, Work w) {
        Retry was = old.retry;
        unwait(old);
        leave(old);
        if (w.retry == null) {
            w.retry = new Retry(was.policy);
        }
        w.retry.attempts = was.attempts;
        w.retry.lastError = was.lastError;
        w.retry.retryDueNanos = was.retryDueNanos;
        resumption.index(w, w.uid());
        await(w, Work.State.RETRY_WAIT, was.retryDueNanos);
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
        Retry retry = w.retry;
        if (retry != null) {
            retry.attempts++;
            if (item.errorCode() != null) {
                retry.lastError = item.error();
                if (retry.policy.retriesOn(item.errorCode())) {
                    if (retry.left()) {
                        retryLater(w);
                        return;
                    }
                    stats.retriesExhausted++;
                }
            }
        }
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

    /**
     * Removes a live work without a result, wherever it is: queued, held, parked, delayed, waiting for
     * a retry ({@link #waiting}), or on a worker (collecting the abort its worker is to get). The one
     * way to cancel a work (a client's abort, its leaving).
     */
    boolean drop(Work w, Map<Connection, List<String>> aborts) {
        if (w.state() == Work.State.ASSIGNED || w.state() == Work.State.RUNNING || w.state() == Work.State.PREFETCHED) {
            Connection worker = w.worker;
            scheduler.detach(w);
            if (worker.open) {
                aborts.computeIfAbsent(worker, k -> new ArrayList<>()).add(w.id);
            }
        } else if (!unqueue(w)) {
            return false;
        }
        leave(w);
        return true;
    }

    /**
     * An operator cancels a live work, wherever it waits ({@link #drop}). A worker
     * that has it is to get an abort ({@code aborts}); its client gets the {@code ECANCELED} result
     * in its done frame ({@link Connection#results}; {@code results} lists each such client once).
     * False when the work was not live.
     */
    boolean cancel(Work w, Map<Connection, List<String>> aborts, List<Connection> results) {
        if (!drop(w, aborts)) {
            return false;
        }
        w.result = Replies.ECANCELED_RESULT;
        Connection client = w.request.client;
        if (client.results.isEmpty()) {
            results.add(client);
        }
        client.results.add(w);
        stats.aborted++;
        stats.failed(w, null, "ECANCELED", Replies.ECANCELED_ERROR);
        events.abort(w);
        requestPass.run();
        return true;
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

    /** Takes a work that waits (queued, held, parked, delayed, retry) out of where it waits, done; false when it was elsewhere. */
    private boolean unqueue(Work w) {
        Work.State was = w.state();
        if (was != Work.State.QUEUED && was != Work.State.HELD && was != Work.State.PARKED && was != Work.State.DELAYED
                && was != Work.State.RETRY_WAIT) {
            return false;
        }
        if (was == Work.State.DELAYED || was == Work.State.RETRY_WAIT) {
            unwait(w);
        }
        w.moveTo(Work.State.DONE);
        if (was == Work.State.QUEUED) {
            scheduler.queuesOf(w).removed(w);
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
            scheduler.queuesOf(next).addLast(next);
        }
    }

    /** Removes an ended work from the index, and its args from the memory budget. */
    private void forget(Work w) {
        if (w.indexed) {
            resumption.unindex(w);
        }
        if (live.remove(w.id) != null) {
            memory.queuedBytes -= w.args.byteLength();
            WorkType type = w.request.type;
            if (type != null && --type.live == 0) {
                scheduler.types.release(type); // its queues hold only works that left: forgotten with it
            }
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
