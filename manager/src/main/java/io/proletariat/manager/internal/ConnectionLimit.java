package io.proletariat.manager.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The connection limit in force: {@code maxConnections}, lowered when the process's file
 * descriptor limit ({@code ulimit -n}) would run out first. Past the descriptor limit the kernel
 * refuses to accept, so a peer would hang instead of getting {@code ETOOMANYCONN}.
 */
final class ConnectionLimit {
    /** Descriptors kept for everything else: jars, epoll and event fds, listeners, HTTP, logs. */
    static final long RESERVE = 128;

    private ConnectionLimit() {
    }

    /**
     * {@code min(configured, maxFileDescriptors - RESERVE)}, at least 1; {@code configured} when the
     * descriptor limit is unknown ({@code maxFileDescriptors <= 0}).
     */
    static int effective(int configured, long maxFileDescriptors) {
        if (maxFileDescriptors <= 0) {
            return configured;
        }
        return (int) Math.max(1, Math.min(configured, maxFileDescriptors - RESERVE));
    }

    /** The process's descriptor limit, or -1 when the JVM cannot tell (not a Unix, another JVM). */
    static long maxFileDescriptors() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }
}
