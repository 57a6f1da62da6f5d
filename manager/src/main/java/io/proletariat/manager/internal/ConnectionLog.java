package io.proletariat.manager.internal;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * The INFO lines about connections (connected, offered, disconnected), at most
 * {@value #LINES_PER_SECOND} a second: a flood of connections must not turn into a flood of
 * synchronous log writes on the core thread. Lines past the rate are counted, and the count is
 * logged with the next line that goes out. O(1) per line, constant size. Core thread only.
 */
final class ConnectionLog {
    static final int LINES_PER_SECOND = 20;

    private final Logger log;
    private long windowStart = System.nanoTime();
    private int linesInWindow;
    private long suppressed;

    ConnectionLog(Logger log) {
        this.log = log;
    }

    void info(String format, Object... args) {
        if (!log.isInfoEnabled()) {
            return;
        }
        long now = System.nanoTime();
        if (now - windowStart >= TimeUnit.SECONDS.toNanos(1)) {
            windowStart = now;
            linesInWindow = 0;
        }
        if (linesInWindow >= LINES_PER_SECOND) {
            suppressed++;
            return;
        }
        linesInWindow++;
        if (suppressed > 0) {
            log.info("({} more connection events not logged: more than {} a second)", suppressed, LINES_PER_SECOND);
            suppressed = 0;
        }
        log.info(format, args);
    }
}
