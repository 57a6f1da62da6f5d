package io.proletariat.manager.internal;

import io.proletariat.protocol.RawJson;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What makes a work the same work across managers and connections (docs/cluster.md, "A work keeps
 * its identity"): results that workers finished while they had no manager, waiting for their
 * clients to resend the works; the works that returning workers still run; and the live works a
 * result may arrive for under their identity (resent, requeued or parked ones). {@link Works}
 * decides what happens to a work; this class only keeps these three indexes and their bounds.
 * Core thread only.
 *
 * <p>Everything here is fed by peers, so everything is bounded: stored results by count, bytes and
 * age (the oldest go first), running identities by count.
 */
final class Resumption {
    /** Stored results kept at most: results of works whose clients never come back go, oldest first. */
    static final int MAX_RESULTS = 100_000;
    /** Identities of works that returning workers run, in all. */
    static final int MAX_RUNNING = 1_000_000;
    /** How long a stored result waits for its work to be resent. */
    static final long RESULT_TTL_NANOS = 10L * 60 * 1_000_000_000;

    private record Stored(RawJson result, long atNanos) {
    }

    private final long maxResultBytes;
    /** Results by identity, oldest first. */
    private final LinkedHashMap<String, Stored> results = new LinkedHashMap<>();
    private long resultBytes;
    /** The worker that runs each identity it named in its resume. */
    private final Map<String, Connection> running = new HashMap<>();
    /** Live works by identity: resent, requeued or parked ones (not every work: most never need it). */
    private final Map<String, Work> live = new HashMap<>();
    /** Results dropped unread: past a bound, or too old. */
    long resultsDropped;

    Resumption(long maxResultBytes) {
        this.maxResultBytes = maxResultBytes;
    }

    // ---------------------------------------------------------------- stored results

    /** Keeps a result no live work wants yet: its work may be resent soon (after a failover, the clients reconnect too). */
    void store(String uid, RawJson result) {
        Stored was = results.put(uid, new Stored(result, System.nanoTime()));
        if (was != null) {
            resultBytes -= was.result.byteLength();
        }
        resultBytes += result.byteLength();
        Iterator<Stored> oldest = results.values().iterator();
        while ((results.size() > MAX_RESULTS || resultBytes > maxResultBytes) && oldest.hasNext()) {
            resultBytes -= oldest.next().result.byteLength();
            oldest.remove();
            resultsDropped++;
        }
    }

    /** The stored result of this identity, taken out; null when none. */
    RawJson takeResult(String uid) {
        if (results.isEmpty()) {
            return null;
        }
        Stored s = results.remove(uid);
        if (s == null) {
            return null;
        }
        resultBytes -= s.result.byteLength();
        return s.result;
    }

    /** Drops results older than {@link #RESULT_TTL_NANOS}; called by the periodic cleanup. */
    void expire() {
        long now = System.nanoTime();
        Iterator<Stored> it = results.values().iterator();
        while (it.hasNext()) {
            Stored s = it.next();
            if (now - s.atNanos < RESULT_TTL_NANOS) {
                break;
            }
            resultBytes -= s.result.byteLength();
            it.remove();
            resultsDropped++;
        }
    }

    int storedResults() {
        return results.size();
    }

    // ---------------------------------------------------------------- works returning workers still run

    /** A returning worker runs this identity (false when the bound is reached: the work may then run twice). */
    boolean running(String uid, Connection worker) {
        if (running.size() >= MAX_RUNNING && !running.containsKey(uid)) {
            return false;
        }
        running.put(uid, worker);
        if (worker.resumedRunning == null) {
            worker.resumedRunning = new HashSet<>();
        }
        worker.resumedRunning.add(uid);
        return true;
    }

    /** The worker that runs this identity, or null. */
    Connection runner(String uid) {
        return running.isEmpty() ? null : running.get(uid);
    }

    /** The worker reported the identity's result (or left): it runs it no more. */
    void ran(String uid, Connection worker) {
        if (running.remove(uid, worker) && worker.resumedRunning != null) {
            worker.resumedRunning.remove(uid);
        }
    }

    /** A worker left: the identities it ran, forgotten and returned. */
    Set<String> workerGone(Connection worker) {
        Set<String> uids = worker.resumedRunning;
        if (uids == null) {
            return Set.of();
        }
        worker.resumedRunning = null;
        for (String uid : uids) {
            running.remove(uid, worker);
        }
        return uids;
    }

    // ---------------------------------------------------------------- live works by identity

    /** Indexes a live work that has an identity, so that a result under it finds the work. */
    void index(Work w, String uid) {
        Work was = live.put(uid, w);
        if (was != null && was != w) {
            was.indexed = false; // a client resent a work it still waits for: the newer one takes the result
        }
        w.indexed = true;
    }

    /** The live work of this identity, or null. */
    Work work(String uid) {
        return live.isEmpty() ? null : live.get(uid);
    }

    /** A work left (answered, aborted, its client gone): out of the index. */
    void unindex(Work w) {
        w.indexed = false;
        live.remove(w.uid(), w);
    }

    int indexedWorks() {
        return live.size();
    }

    int runningIdentities() {
        return running.size();
    }
}
