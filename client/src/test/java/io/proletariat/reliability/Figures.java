package io.proletariat.reliability;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/** What the reliability suite exercised, printed after each test class for docs/reliability.md. */
final class Figures {
    private static final AtomicLong WORKS_CHECKED = new AtomicLong();
    private static final Map<String, Long> FAULTS = new TreeMap<>();

    private Figures() {
    }

    static void worksChecked(long n) {
        WORKS_CHECKED.addAndGet(n);
    }

    static synchronized void fault(String kind) {
        FAULTS.merge(kind, 1L, Long::sum);
    }

    static synchronized String summary() {
        long total = FAULTS.values().stream().mapToLong(Long::longValue).sum();
        return "reliability figures: works checked " + WORKS_CHECKED.get() + ", faults injected " + total + " " + FAULTS;
    }
}
