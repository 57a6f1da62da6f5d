package io.proletariat.manager.internal;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Logs a protective limit being hit at INFO (a peer refused for TLS at WARN), at most once per {@value #INTERVAL_SECONDS} s per
 * limit, with the number of hits not logged since: a flood of refused peers must not become a
 * flood of log lines. One entry per {@link Limit}, so its size is fixed. Core thread only.
 */
final class LimitLog {
    static final long INTERVAL_SECONDS = 10;

    /** The limits whose hits are logged. */
    enum Limit {
        MAX_CONNECTIONS("--max-connections"),
        MAX_WORKS_PER_PUSH("--max-works-per-push"),
        MAX_PENDING_WORKS("--max-pending-works"),
        MAX_WORK_TYPES("--max-work-types"),
        MAX_FRAME("--max-frame"),
        MAX_PENDING_SYSMSGS("--max-pending-sysmsgs"),
        MAX_PENDING_SYSMSG_ACKS("--max-pending-sysmsg-acks"),
        MEMORY("--max-queued-bytes / --max-buffer-bytes"),
        BAD_FRAMES("100 invalid frames per connection"),
        STATUS_RATE("100 status requests a second per connection"),
        SYSMSG_RATE("--max-sysmsg-rate"),
        PROTECTED("protected mode: --auth or --trust"),
        AUTH("--auth"),
        PERMISSION("roles in the --auth file"),
        PLAINTEXT_ON_TLS("--tls-cert/--tls-key"),
        TLS_ON_PLAINTEXT("no --tls-cert/--tls-key"),
        TLS_HANDSHAKE("--tls-cert/--tls-key/--tls-client-ca");

        final String option;

        Limit(String option) {
            this.option = option;
        }
    }

    private final Logger log;
    private final Map<Limit, long[]> state = new EnumMap<>(Limit.class); // {last logged nanos, hits not logged}

    LimitLog(Logger log) {
        this.log = log;
    }

    /** Records a hit; logs "{what} ({option})" unless this limit was logged within the interval. */
    void hit(Limit limit, String what) {
        hit(limit, what, false);
    }

    /** {@link #hit(Limit, String)} at WARN: a peer that is misconfigured, not merely busy (TLS on one side only). */
    void warn(Limit limit, String what) {
        hit(limit, what, true);
    }

    private void hit(Limit limit, String what, boolean warn) {
        long now = System.nanoTime();
        long[] s = state.get(limit);
        if (s != null && now - s[0] < TimeUnit.SECONDS.toNanos(INTERVAL_SECONDS)) {
            s[1]++;
            return;
        }
        long missed = s == null ? 0 : s[1];
        state.put(limit, new long[] {now, 0});
        String more = missed == 0 ? "" : "; " + missed + " more hits of this limit in the last " + INTERVAL_SECONDS + " s not logged";
        if (warn) {
            log.warn("{} ({}){}", what, limit.option, more);
        } else {
            log.info("{} ({}){}", what, limit.option, more);
        }
    }
}
