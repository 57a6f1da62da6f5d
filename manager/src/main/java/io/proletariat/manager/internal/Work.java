package io.proletariat.manager.internal;

import io.netty.util.concurrent.ScheduledFuture;
import io.proletariat.manager.WorkInfo;
import io.proletariat.protocol.RawJson;

/** One work in the manager. Owned by the core thread; listeners get {@link #snapshot()}s. */
final class Work implements WorkInfo {
    /**
     * Where a work is. It moves only by {@link #moveTo}, along the table of allowed moves below
     * (docs/protocol.md, Work life cycle): a move the table does not list is a bug in the core and throws.
     */
    enum State {
        /** Created by a push, not yet queued. */
        NEW,
        /** Waiting behind a live work with the same {@code _key} ({@link KeyHolds}). */
        HELD,
        /** In its priority's queue ({@link WorkQueues}). */
        QUEUED,
        /**
         * Resent by its client while a worker, back from a lost manager, still runs it ({@link Resumption}):
         * it waits for that worker's result, and is queued if that worker leaves.
         */
        PARKED,
        /** Pushed with a {@code delay} or {@code notBefore}: held in {@link WaitingWorks} until it is due. */
        DELAYED,
        /** An attempt failed and a retry is due after its backoff: held in {@link WaitingWorks} ({@link Retry}). */
        RETRY_WAIT,
        /**
         * Our workers' prefetch (docs/protocol.md, prefetch): sent to a worker beyond its slots, waiting
         * in the worker's local queue. It holds no slot and its assign timer runs on: for the manager it
         * still waits, until the worker reports it started it ({@link Prefetch}).
         */
        PREFETCHED,
        /** Sent to a worker, not yet accepted. */
        ASSIGNED,
        /** Accepted by its worker. */
        RUNNING,
        /** Finished, aborted, timed out or given up: gone from every structure. */
        DONE;

        /** A bit per state this one may move to. */
        private int next;

        static {
            allow(NEW, HELD, QUEUED, PARKED, DELAYED, RETRY_WAIT, DONE); // DONE: a resumed result; RETRY_WAIT: took over a resent work's backoff
            allow(DELAYED, QUEUED, HELD, DONE);             // due; due behind its key; aborted, its client gone
            allow(RETRY_WAIT, QUEUED, DONE);                // its backoff ended; aborted, its client gone, a resend took it over
            allow(PARKED, QUEUED, DONE);                    // its worker left; its result came, or it was aborted
            allow(HELD, QUEUED, DONE);                      // released by its key; finished with it, aborted, timed out
            allow(QUEUED, ASSIGNED, PREFETCHED, DONE);      // placed by the pass (in a slot, or prefetched); aborted, timed out
            allow(PREFETCHED, RUNNING, ASSIGNED, QUEUED, DONE); // started by its worker; promoted into a free slot;
                                                            // recalled, rejected or worker gone; aborted, timed out
            allow(ASSIGNED, RUNNING, QUEUED, RETRY_WAIT, DONE); // accepted; rejected or worker gone; a counted loss; finished or aborted
            allow(RUNNING, QUEUED, RETRY_WAIT, DONE);       // worker gone; a failed attempt with retries left; finished or aborted
        }

        private static void allow(State from, State... to) {
            for (State s : to) {
                from.next |= 1 << s.ordinal();
            }
        }

        /** True when the table lets a work in this state move to {@code to}. */
        boolean mayMoveTo(State to) {
            return (next & 1 << to.ordinal()) != 0;
        }
    }

    final String id;
    /** The id as JSON, encoded once for the three frames that carry it. */
    final RawJson idJson;
    final Request request;
    final RawJson args;
    /** The {@code timeout} exactly as the client sent it, forwarded to the worker; null when none. */
    final RawJson runTimeout;
    final long assignTimeoutMs;
    /** The {@code _key} of its args when holding similar works, else null. */
    final String key;
    /** Its position in its request: with {@link Request#uidPrefix}, its identity across managers. */
    final int index;
    /** In {@link Resumption}'s index by identity (resent, requeued or parked). */
    boolean indexed;
    /** It ran on a worker that was lost: running it again is a rerun ({@code proletariat_works_rerun_total}). */
    boolean lostRun;

    /** Prefetched and recalled: the worker reports either that it started it or that it gave it back. */
    boolean recalling;
    /**
     * Sent ahead and the worker has not answered that dispatch yet: its next listing in an answer is that
     * answer, even if the work was promoted into a slot meanwhile (a second dispatch, answered after).
     */
    boolean prefetchUnanswered;

    private State state = State.NEW;
    Connection worker;
    Range range;
    ScheduledFuture<?> assignTimer;
    final long pushedNanos = System.nanoTime();
    long queuedNanos;
    long assignedNanos;
    /** Set when the work finishes, until its done frame is written. */
    RawJson result;
    /** Its retries (attempts, last error, policy); null when its push asked none and the manager has no default. */
    Retry retry;
    /** When it is due ({@link WaitingWorks}, on the loop's clock), its position in that heap (-1: not in it) and its tie-break. */
    long dueNanos;
    int waitIndex = -1;
    long waitSeq;

    Work(String id, Request request, RawJson args, RawJson runTimeout, long assignTimeoutMs, String key, int index) {
        this.id = id;
        this.index = index;
        this.idJson = RawJson.ofString(id);
        this.request = request;
        this.args = args;
        this.runTimeout = runTimeout;
        this.assignTimeoutMs = assignTimeoutMs;
        this.key = key;
    }

    State state() {
        return state;
    }

    /** Its identity across managers, {@code session/requestId/index}; null when its client gave no session. */
    String uid() {
        return request.uidPrefix == null ? null : request.uidPrefix + index;
    }

    /** Moves the work along the table of {@link State}; an illegal move throws and changes nothing. */
    void moveTo(State next) {
        if (!state.mayMoveTo(next)) {
            throw new IllegalStateException("work " + id + " cannot move from " + state + " to " + next);
        }
        state = next;
    }

    /** Stops its assign timeout, if armed. */
    void cancelAssignTimer() {
        if (assignTimer != null) {
            assignTimer.cancel(false);
            assignTimer = null;
        }
    }

    boolean live() {
        return state != State.DONE;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String clientId() {
        return request.client.id;
    }

    @Override
    public String requestId() {
        return request.key;
    }

    @Override
    public int priority() {
        return request.priority;
    }

    @Override
    public RawJson args() {
        return args;
    }

    WorkInfo snapshot() {
        return new Snapshot(id, clientId(), requestId(), priority(), args);
    }

    private record Snapshot(String id, String clientId, String requestId, int priority, RawJson args) implements WorkInfo {
    }

    @Override
    public String toString() {
        return id + "[" + state + ", p" + request.priority + "]";
    }
}
