package io.proletariat.manager;

import java.util.List;
import java.util.Map;

/**
 * A consistent snapshot of a running manager, taken on its dispatch thread by {@link Manager#stats()}:
 * what the protocol's {@code status} shows, plus counters, rates, latency histograms and recent
 * errors. Counters count since the manager started.
 *
 * @param bootTime epoch ms of the manager's start
 * @param takenAt epoch ms of this snapshot
 * @param counters event totals
 * @param queued queued works per priority, highest first
 * @param onHold works held behind a similar work (HOLDSIMILARWORK)
 * @param running works assigned to or running on workers
 * @param slotsTotal slots offered by every worker
 * @param slotsFree slots not in use
 * @param rates works per second over the last second and the last minute
 * @param timeInQueue seconds from push to assignment
 * @param runTime seconds from assignment to result
 * @param endToEnd seconds from push to result relayed
 * @param workers connected workers, in connection order
 * @param clients connections that are not workers (clients, admin tools, idle sockets)
 * @param recentErrors the latest failed results, newest first (at most 50)
 * @param memory the memory budgets and their use
 * @param cluster this manager's role in its cluster ({@link ClusterRole#ALONE} without one)
 * @param security who was kept out (docs/security.md)
 * @param types the work types the manager knows, by name (docs/protocol.md, "Work types and limits"); empty when every work is untyped
 * @param waiting delayed works and retries
 * @param operator progress reports and operators' cancels
 */
public record ManagerStats(long bootTime, long takenAt, Counters counters, Map<Integer, Long> queued, long onHold,
                           long running, long slotsTotal, long slotsFree, Rates rates, Histogram timeInQueue,
                           Histogram runTime, Histogram endToEnd, List<WorkerStats> workers,
                           List<ClientStats> clients, List<RecentError> recentErrors, Memory memory,
                           ClusterRole cluster, Security security, List<TypeStats> types, Waiting waiting,
                           Operator operator) {

    /**
     * One work type (docs/protocol.md, "Work types and limits").
     *
     * @param type its name
     * @param queued its queued works per priority, highest first
     * @param running its works assigned to or running on workers
     * @param limit the most of its works that may run at once, or -1 for no limit
     * @param workers the workers that offered it
     */
    public record TypeStats(String type, Map<Integer, Long> queued, long running, long limit, int workers) {
        /** Its queued works, over every priority. */
        public long queuedTotal() {
            long n = 0;
            for (long q : queued.values()) {
                n += q;
            }
            return n;
        }
    }

    /**
     * Works that wait for a time, and retries (docs/protocol.md, push: {@code retries}, {@code delay}).
     *
     * @param delayed works waiting for their {@code delay} or {@code notBefore}
     * @param retryWaiting works waiting for a retry's backoff to end
     * @param retried failed attempts that were given another one
     * @param retriesExhausted works whose last allowed attempt failed too
     */
    public record Waiting(long delayed, long retryWaiting, long retried, long retriesExhausted) {
    }

    /**
     * Workers' progress reports and operators' cancels (docs/protocol.md, "Progress" and "Operator commands").
     *
     * @param progressRelayed reports relayed to the clients that asked
     * @param progressIgnored reports without an id or a value, or for a work the sender does not hold
     * @param progressDropped reports dropped because their client's output was over its bound
     * @param progressRefused reports refused as too large ({@code ELARGEPROGRESS})
     * @param cancelled works cancelled by operators ({@code ECANCELED})
     */
    public record Operator(long progressRelayed, long progressIgnored, long progressDropped, long progressRefused,
                           long cancelled) {
    }

    /**
     * Who was kept out (docs/security.md).
     *
     * @param authenticating whether authentication is on ({@code --auth})
     * @param refusedUntrusted peers refused in protected mode ({@code EPROTECTED})
     * @param authFailures connections refused with {@code EAUTH}: wrong, missing or oversized tokens, no auth frame in time
     * @param denied commands answered {@code EPERM}
     */
    public record Security(boolean authenticating, long refusedUntrusted, long authFailures, long denied) {
    }

    /**
     * The manager's memory budgets (docs/reliability.md, Limits) and what they refused.
     *
     * @param queuedBytes bytes of args of every live work
     * @param maxQueuedBytes their budget ({@code --max-queued-bytes})
     * @param bufferBytes bytes of frames still arriving plus output not yet taken by peers
     * @param maxBufferBytes their budget ({@code --max-buffer-bytes})
     * @param pushesRefused pushes answered {@code ENOMEM}
     * @param connectionsShed connections closed with {@code ENOMEM} to get back within the buffer budget
     * @param closedForBacklog connections closed because more than {@code --max-outbound} bytes waited for them
     */
    public record Memory(long queuedBytes, long maxQueuedBytes, long bufferBytes, long maxBufferBytes,
                         long pushesRefused, long connectionsShed, long closedForBacklog) {
    }

    /**
     * Event totals.
     *
     * @param pushed works accepted from clients
     * @param assigned works sent to workers (a requeued work counts again)
     * @param finished results relayed to clients (successes and failures)
     * @param failed results whose {@code err} was set
     * @param failedByCode {@link #failed} split by the error's {@code code} ({@code "ERROR"} when it has none):
     *     the first 100 distinct codes of at most 64 characters {@code [A-Za-z0-9_.:-]} by name, every other
     *     under {@code "OTHER"}, so workers cannot grow it without bound ({@code ETO}, {@code EATO} always by name)
     * @param assignTimeouts works answered {@code EATO}
     * @param requeued works taken back from a worker (rejected, or the worker left)
     * @param rejected works a worker rejected
     * @param aborted works the client aborted
     * @param givenUp works dropped because their client left
     * @param connectionsAccepted connections accepted
     * @param framesIn frames received
     * @param badFrames frames that were not valid JSON or too large
     * @param sysmsgsRefused system messages answered {@code ETOOMANYSYSMSG}
     * @param eventsDropped listener events dropped because the listeners fell behind (see {@link ManagerListener})
     * @param resumed works answered with a result that a worker finished while it had no manager (docs/cluster.md)
     * @param rerun works run again after a run whose result was lost (their worker died), as far as this manager knows
     */
    public record Counters(long pushed, long assigned, long finished, long failed, Map<String, Long> failedByCode,
                           long assignTimeouts, long requeued, long rejected, long aborted, long givenUp,
                           long connectionsAccepted, long framesIn, long badFrames, long sysmsgsRefused,
                           long eventsDropped, long resumed, long rerun) {
    }

    /** Works per second pushed, finished and failed: over the last full second and the last minute. */
    public record Rates(double pushedPerSecond, double finishedPerSecond, double failedPerSecond,
                        double pushedPerSecondMinute, double finishedPerSecondMinute, double failedPerSecondMinute) {
    }

    /**
     * A latency histogram since the manager started: an immutable copy of the core's HdrHistogram
     * (microsecond resolution, values within 1 %, up to one hour; longer ones count as one hour).
     * Every quantile the manager shows, in {@code /api/status}, {@code /api/history} and the dashboard,
     * comes from {@link #quantile}, so they agree.
     */
    public static final class Histogram {
        /** The bounds, in seconds, of the buckets {@code /metrics} exposes (the last, +Inf, implied). */
        private static final double[] BUCKET_BOUNDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
            0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};

        private final org.HdrHistogram.Histogram micros;
        private final long sumMicros;

        private Histogram(org.HdrHistogram.Histogram micros, long sumMicros) {
            this.micros = micros;
            this.sumMicros = sumMicros;
        }

        /** A snapshot of {@code micros} (observations in microseconds; copied) whose sum is {@code sumMicros}. */
        public static Histogram of(org.HdrHistogram.Histogram micros, long sumMicros) {
            return new Histogram(micros.copy(), sumMicros);
        }

        /** Number of observations. */
        public long count() {
            return micros.getTotalCount();
        }

        /** Sum of all observations, in seconds. */
        public double sumSeconds() {
            return sumMicros / 1e6;
        }

        /** The q-quantile (0..1) in seconds, within 1 %; NaN when there is no observation. */
        public double quantile(double q) {
            return count() == 0 ? Double.NaN : micros.getValueAtPercentile(q * 100) / 1e6;
        }

        /** The observations made after {@code earlier}, a snapshot of the same histogram taken before this one. */
        public Histogram since(Histogram earlier) {
            org.HdrHistogram.Histogram diff = micros.copy();
            diff.subtract(earlier.micros);
            return new Histogram(diff, sumMicros - earlier.sumMicros);
        }

        /** The bounds, in seconds, of the fixed buckets {@code /metrics} and {@code /api/status} show, ascending. */
        public double[] bucketBounds() {
            return BUCKET_BOUNDS.clone();
        }

        /** Observations at most each of {@link #bucketBounds()}, then the total: {@code bucketBounds().length + 1} values. */
        public long[] cumulativeCounts() {
            long[] cumulative = new long[BUCKET_BOUNDS.length + 1];
            for (int i = 0; i < BUCKET_BOUNDS.length; i++) {
                cumulative[i] = micros.getCountBetweenValues(0, Math.round(BUCKET_BOUNDS[i] * 1e6));
            }
            cumulative[BUCKET_BOUNDS.length] = count();
            return cumulative;
        }
    }

    /** One slot range of a worker. */
    public record RangeStats(int from, long limit, long used) {
    }

    /**
     * A connected worker.
     *
     * @param id connection id
     * @param address remote address
     * @param connectedSince epoch ms
     * @param slots total slots offered
     * @param busy slots in use
     * @param ranges its priority ranges
     * @param finished results it delivered
     * @param principal who it authenticated as (by token or certificate), or null (docs/security.md)
     * @param types the work types it offered; empty for a worker of untyped works only (docs/protocol.md, "Work types and limits")
     * @param untyped whether it takes untyped works
     * @param prefetched works it holds beyond its slots, not started yet (our workers' prefetch, docs/protocol.md)
     */
    public record WorkerStats(String id, String address, long connectedSince, long slots, long busy,
                              List<RangeStats> ranges, long finished, String principal, List<String> types, boolean untyped,
                              long prefetched) {
        /** A worker of untyped works without prefetched works. */
        public WorkerStats(String id, String address, long connectedSince, long slots, long busy,
                           List<RangeStats> ranges, long finished, String principal) {
            this(id, address, connectedSince, slots, busy, ranges, finished, principal, List.of(), true, 0);
        }

        /** A worker of untyped works served without authentication. */
        public WorkerStats(String id, String address, long connectedSince, long slots, long busy,
                           List<RangeStats> ranges, long finished) {
            this(id, address, connectedSince, slots, busy, ranges, finished, null);
        }
    }

    /**
     * A connection that is not a worker.
     *
     * @param id connection id
     * @param address remote address
     * @param connectedSince epoch ms
     * @param type {@code client} once it pushed, else {@code unknown}
     * @param pendingWorks its works not yet answered
     * @param principal who it authenticated as (by token or certificate), or null (docs/security.md)
     */
    public record ClientStats(String id, String address, long connectedSince, String type, long pendingWorks, String principal) {
        /** A connection served without authentication. */
        public ClientStats(String id, String address, long connectedSince, String type, long pendingWorks) {
            this(id, address, connectedSince, type, pendingWorks, null);
        }
    }

    /**
     * A failed result.
     *
     * @param at epoch ms
     * @param workId the work
     * @param clientId its client
     * @param workerId the worker that reported it, or null for manager errors (EATO)
     * @param code the error's code ({@code "ERROR"} when it has none)
     * @param error the error object's JSON text, cut to 300 characters
     */
    public record RecentError(long at, String workId, String clientId, String workerId, String code, String error) {
    }
}
