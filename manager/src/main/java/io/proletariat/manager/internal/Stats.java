package io.proletariat.manager.internal;

import io.proletariat.manager.ManagerStats;
import io.proletariat.protocol.RawJson;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What the dispatch core counts for status, metrics and the dashboard: plain fields written on the
 * core thread only, copied into a {@link ManagerStats} snapshot on that thread when asked.
 */
final class Stats {
    private static final int RECENT_ERRORS = 50;
    /** Distinct error codes kept by name; later ones count under {@link #OTHER_CODE}. */
    static final int MAX_CODES = 100;
    /** Codes longer than this, or with characters outside {@code [A-Za-z0-9_.:-]}, count under {@link #OTHER_CODE}. */
    static final int MAX_CODE_LENGTH = 64;
    static final String OTHER_CODE = "OTHER";

    long pushed;
    long assigned;
    long finished;
    long failed;
    long assignTimeouts;
    long requeued;
    long rejected;
    long aborted;
    long givenUp;
    /** Works answered with a result a worker finished while it had no manager. */
    long resumed;
    /** Works run again after a run whose result was lost (their worker died), or run twice. */
    long rerun;
    /** Failed attempts that were given another one (retries). */
    long retried;
    /** Works whose last allowed attempt failed too: answered with that failure. */
    long retriesExhausted;
    long connectionsAccepted;
    long framesIn;
    long badFrames;
    long sysmsgsRefused;
    /**
     * Failures by code. Codes come from workers, so at most {@value #MAX_CODES} of theirs plus the
     * manager's own and {@code OTHER}: /metrics once grew to 225 MB with 300,000 codes. O(log n) per failure.
     */
    final Map<String, Long> failedByCode = new TreeMap<>();
    final Latency timeInQueue = new Latency();
    final Latency runTime = new Latency();
    final Latency endToEnd = new Latency();
    final Rates rates = new Rates();
    private final ArrayDeque<ManagerStats.RecentError> recentErrors = new ArrayDeque<>();

    void failed(Work w, String workerId, String code, RawJson err) {
        failed++;
        failedByCode.merge(codeKey(code), 1L, Long::sum);
        rates.failed();
        String text = err == null ? "" : err.toString();
        if (text.length() > 300) {
            text = text.substring(0, 300);
        }
        if (recentErrors.size() == RECENT_ERRORS) {
            recentErrors.removeLast();
        }
        String shown = code.length() > MAX_CODE_LENGTH ? code.substring(0, MAX_CODE_LENGTH) : code;
        recentErrors.addFirst(new ManagerStats.RecentError(System.currentTimeMillis(), w.id, w.request.client.id, workerId, shown, text));
    }

    /** The key a code is counted under: itself while known or while there is room and it is plain, else OTHER. */
    private String codeKey(String code) {
        if (failedByCode.containsKey(code) || "ETO".equals(code) || "EATO".equals(code) || "ERROR".equals(code)) {
            return code;
        }
        return failedByCode.size() < MAX_CODES && plain(code) ? code : OTHER_CODE;
    }

    private static boolean plain(String code) {
        if (code.isEmpty() || code.length() > MAX_CODE_LENGTH) {
            return false;
        }
        for (int i = 0; i < code.length(); i++) {
            char ch = code.charAt(i);
            if (!(ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '_' || ch == '.' || ch == ':' || ch == '-')) {
                return false;
            }
        }
        return true;
    }

    ManagerStats.Counters counters(long eventsDropped) {
        return new ManagerStats.Counters(pushed, assigned, finished, failed, new TreeMap<>(failedByCode), assignTimeouts,
                requeued, rejected, aborted, givenUp, connectionsAccepted, framesIn, badFrames, sysmsgsRefused, eventsDropped,
                resumed, rerun);
    }

    List<ManagerStats.RecentError> recentErrors() {
        return new ArrayList<>(recentErrors);
    }

    /**
     * A latency histogram (HdrHistogram, microseconds, two significant digits: about 25 KB, and
     * O(1) without allocation per observation). The exact sum is kept beside it for the mean.
     */
    static final class Latency {
        static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

        private final Histogram micros = new Histogram(1, MAX_MICROS, 2);
        private long sumMicros;

        void observe(long nanos) {
            long us = Math.min(Math.max(nanos / 1000, 0), MAX_MICROS);
            micros.recordValue(us);
            sumMicros += us;
        }

        ManagerStats.Histogram snapshot() {
            return ManagerStats.Histogram.of(micros, sumMicros);
        }
    }

    /** Per-second counts over the last minute, for rates. */
    static final class Rates {
        private static final int SECONDS = 61;
        private final long[] second = new long[SECONDS];
        private final long[] pushed = new long[SECONDS];
        private final long[] finished = new long[SECONDS];
        private final long[] failed = new long[SECONDS];

        void pushed(long n) {
            pushed[slot()] += n;
        }

        void finished() {
            finished[slot()]++;
        }

        void failed() {
            failed[slot()]++;
        }

        private int slot() {
            long now = System.currentTimeMillis() / 1000;
            int i = (int) (now % SECONDS);
            if (second[i] != now) {
                second[i] = now;
                pushed[i] = 0;
                finished[i] = 0;
                failed[i] = 0;
            }
            return i;
        }

        ManagerStats.Rates snapshot() {
            long now = System.currentTimeMillis() / 1000;
            return new ManagerStats.Rates(
                    sum(pushed, now, 1), sum(finished, now, 1), sum(failed, now, 1),
                    sum(pushed, now, 60) / 60.0, sum(finished, now, 60) / 60.0, sum(failed, now, 60) / 60.0);
        }

        /** Sum over the {@code seconds} full seconds before the current one. */
        private double sum(long[] counts, long now, int seconds) {
            long total = 0;
            for (long s = now - seconds; s < now; s++) {
                int i = (int) (s % SECONDS);
                if (second[i] == s) {
                    total += counts[i];
                }
            }
            return total;
        }
    }
}
