package io.proletariat.manager.internal;

import io.proletariat.manager.ManagerStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every worker's priority ranges merged by their start, as the protocol's {@code status} shows them
 * and the HTTP status repeats: the one computation of both.
 */
public final class MergedRanges {
    private MergedRanges() {
    }

    /** The ranges starting at {@code from} of all workers: summed limits and uses, and the workers that have one. */
    public record Merged(int from, long limit, long used, List<String> workers) {
    }

    /** The merged ranges of these workers, lowest start first. Any thread: it reads only the snapshot given. */
    public static List<Merged> of(List<ManagerStats.WorkerStats> workers) {
        TreeMap<Integer, long[]> sums = new TreeMap<>();
        Map<Integer, List<String>> ids = new TreeMap<>();
        for (ManagerStats.WorkerStats w : workers) {
            for (ManagerStats.RangeStats r : w.ranges()) {
                long[] sum = sums.computeIfAbsent(r.from(), k -> new long[2]);
                sum[0] += r.limit();
                sum[1] += r.used();
                ids.computeIfAbsent(r.from(), k -> new ArrayList<>()).add(w.id());
            }
        }
        List<Merged> merged = new ArrayList<>(sums.size());
        sums.forEach((from, sum) -> merged.add(new Merged(from, sum[0], sum[1], List.copyOf(ids.get(from)))));
        return merged;
    }
}
