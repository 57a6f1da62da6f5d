import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Bytes allocated per work by the threads of a {@code proletariat bench} JVM or of a manager, from a
 * JFR recording (run by bench/alloc-per-work.sh on both; a single-file program:
 * {@code java bench/AllocPerWork.java ...}).
 *
 * <p>Usage: {@code AllocPerWork RECORDING.jfr START_EPOCH_MS END_EPOCH_MS WORKS [TOP]}: the measured
 * window and the works the bench counted in it. Exact totals per thread come from
 * {@code jdk.ThreadAllocationStatistics} (sampled every 100 ms, interpolated at the window's ends);
 * the split between the libraries and the bench's own code, and the top allocation sites, from the
 * weights of {@code jdk.ObjectAllocationSample}. A sample is the bench's own when the innermost
 * {@code io.proletariat} frame of its stack is in {@code io.proletariat.cli}.
 */
public final class AllocPerWork {
    /** Thread groups by name prefix, most specific first. */
    private static final String[][] GROUPS = {
        {"proletariat-client-io", "client", "client I/O"},
        {"proletariat-client-callbacks", "client", "client callbacks"},
        {"proletariat-worker-io", "worker", "worker I/O"},
        {"proletariat-worker-listeners", "worker", "worker listeners"},
        {"proletariat-worker", "worker", "worker handlers"},
        {"proletariat-io", "manager", "manager I/O, core"},
        {"proletariat-core", "manager", "manager core"},
        {"proletariat-manager-events", "manager", "manager events"},
        {"proletariat-http", "manager", "manager HTTP"},
    };

    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            System.err.println("usage: AllocPerWork RECORDING.jfr START_EPOCH_MS END_EPOCH_MS WORKS [TOP]");
            System.exit(2);
        }
        Instant start = Instant.ofEpochMilli(Long.parseLong(args[1]));
        Instant end = Instant.ofEpochMilli(Long.parseLong(args[2]));
        long works = Long.parseLong(args[3]);
        int top = args.length > 4 ? Integer.parseInt(args[4]) : 12;

        Map<String, TreeMap<Instant, Long>> allocatedByThread = new HashMap<>();
        Map<String, Map<String, Double>> sites = new LinkedHashMap<>(); // group -> site -> weight
        Map<String, Map<String, Double>> code = new LinkedHashMap<>();  // group -> innermost io.proletariat method -> weight
        Map<String, double[]> weights = new LinkedHashMap<>();         // group -> {library, bench}
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            String type = e.getEventType().getName();
            if (type.equals("jdk.ThreadAllocationStatistics")) {
                String thread = e.getThread("thread") == null ? null : e.getThread("thread").getJavaName();
                if (thread != null) {
                    allocatedByThread.computeIfAbsent(thread, t -> new TreeMap<>()).put(e.getStartTime(), e.getLong("allocated"));
                }
            } else if (type.equals("jdk.ObjectAllocationSample") && !e.getStartTime().isBefore(start) && !e.getStartTime().isAfter(end)) {
                String group = group(e.getThread() == null ? "" : e.getThread().getJavaName());
                boolean bench = isBench(e.getStackTrace());
                double w = e.getLong("weight");
                weights.computeIfAbsent(group, g -> new double[2])[bench ? 1 : 0] += w;
                String site = (bench ? "[bench] " : "") + e.getClass("objectClass").getName() + " <- " + site(e.getStackTrace());
                sites.computeIfAbsent(group, g -> new HashMap<>()).merge(site, w, Double::sum);
                code.computeIfAbsent(group, g -> new HashMap<>()).merge(ours(e.getStackTrace()), w, Double::sum);
            }
        }

        Map<String, Double> bytesByGroup = new LinkedHashMap<>();
        for (String[] g : GROUPS) {
            bytesByGroup.put(g[2], 0.0);
        }
        bytesByGroup.put("other", 0.0);
        for (Map.Entry<String, TreeMap<Instant, Long>> t : allocatedByThread.entrySet()) {
            double bytes = at(t.getValue(), end) - at(t.getValue(), start);
            bytesByGroup.merge(group(t.getKey()), bytes, Double::sum);
        }

        System.out.printf(Locale.ROOT, "works in the window: %,d%n", works);
        System.out.printf(Locale.ROOT, "%-18s %12s %12s %12s%n", "threads", "B/work", "library", "bench's own");
        Map<String, double[]> sides = new LinkedHashMap<>(); // side -> {total, library, bench}
        for (Map.Entry<String, Double> g : bytesByGroup.entrySet()) {
            double total = g.getValue() / works;
            double[] w = weights.getOrDefault(g.getKey(), new double[2]);
            double benchShare = w[0] + w[1] == 0 ? 0 : w[1] / (w[0] + w[1]);
            if (total < 0.5 && w[0] + w[1] == 0) {
                continue;
            }
            System.out.printf(Locale.ROOT, "%-18s %12.0f %12.0f %12.0f%n", g.getKey(), total, total * (1 - benchShare), total * benchShare);
            double[] s = sides.computeIfAbsent(side(g.getKey()), k -> new double[3]);
            s[0] += total;
            s[1] += total * (1 - benchShare);
            s[2] += total * benchShare;
        }
        for (Map.Entry<String, double[]> s : sides.entrySet()) {
            System.out.printf(Locale.ROOT, "%-18s %12.0f %12.0f %12.0f%n", "= " + s.getKey() + " side", s.getValue()[0], s.getValue()[1], s.getValue()[2]);
        }

        print("by the innermost io.proletariat method", code, bytesByGroup, works, top);
        print("by allocation site", sites, bytesByGroup, works, top);
    }

    private static void print(String title, Map<String, Map<String, Double>> byGroup, Map<String, Double> bytesByGroup, long works, int top) {
        for (Map.Entry<String, Map<String, Double>> g : byGroup.entrySet()) {
            double sum = g.getValue().values().stream().mapToDouble(Double::doubleValue).sum();
            double exact = bytesByGroup.getOrDefault(g.getKey(), 0.0) / works;
            System.out.printf(Locale.ROOT, "%n%s, %s (share of the sampled weight, ~B/work)%n", g.getKey(), title);
            List<Map.Entry<String, Double>> list = new ArrayList<>(g.getValue().entrySet());
            list.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
            for (Map.Entry<String, Double> s : list.subList(0, Math.min(top, list.size()))) {
                System.out.printf(Locale.ROOT, "  %5.1f%% %6.0f  %s%n", 100 * s.getValue() / sum, exact * s.getValue() / sum, s.getKey());
            }
        }
    }

    /** A thread's cumulative allocation at {@code t}, interpolated between the samples around it. */
    private static double at(TreeMap<Instant, Long> series, Instant t) {
        Map.Entry<Instant, Long> before = series.floorEntry(t);
        Map.Entry<Instant, Long> after = series.ceilingEntry(t);
        if (before == null) {
            return 0; // the thread started after t
        }
        if (after == null || after.getKey().equals(before.getKey())) {
            return before.getValue(); // the thread ended before t, or a sample at t
        }
        double span = after.getKey().toEpochMilli() - before.getKey().toEpochMilli();
        double into = t.toEpochMilli() - before.getKey().toEpochMilli();
        return before.getValue() + (after.getValue() - before.getValue()) * (span == 0 ? 0 : into / span);
    }

    private static String group(String thread) {
        for (String[] g : GROUPS) {
            if (thread.startsWith(g[0])) {
                return g[2];
            }
        }
        return "other";
    }

    private static String side(String group) {
        for (String[] g : GROUPS) {
            if (g[2].equals(group)) {
                return g[1];
            }
        }
        return "other";
    }

    /** The innermost io.proletariat frame is the bench's. */
    private static boolean isBench(RecordedStackTrace stack) {
        if (stack == null) {
            return false;
        }
        for (RecordedFrame f : stack.getFrames()) {
            String type = f.getMethod().getType().getName();
            if (type.startsWith("io.proletariat.")) {
                return type.startsWith("io.proletariat.cli.");
            }
        }
        return false;
    }

    /** The innermost io.proletariat method, without its line. */
    private static String ours(RecordedStackTrace stack) {
        for (RecordedFrame f : stack == null ? List.<RecordedFrame>of() : stack.getFrames()) {
            String type = f.getMethod().getType().getName();
            if (type.startsWith("io.proletariat.")) {
                return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
            }
        }
        return "(not in io.proletariat)";
    }

    /** The allocating frame and the innermost io.proletariat frame (when it is another one). */
    private static String site(RecordedStackTrace stack) {
        if (stack == null || stack.getFrames().isEmpty()) {
            return "?";
        }
        List<RecordedFrame> frames = stack.getFrames();
        String first = name(frames.get(0));
        for (RecordedFrame f : frames) {
            if (f.getMethod().getType().getName().startsWith("io.proletariat.")) {
                String ours = name(f);
                return ours.equals(first) ? first : first + " <- " + ours;
            }
        }
        return first;
    }

    private static String name(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName() + ":" + f.getLineNumber();
    }
}
