package io.proletariat.manager.internal.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.proletariat.manager.ManagerStats;
import io.proletariat.protocol.JsonWriter;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The last five minutes at one point a second (throughput and latency), served by
 * {@code GET /api/history}, so a dashboard opened now draws its charts at once.
 *
 * <p>Owned by one I/O event loop: a timer there asks the core for a snapshot each second (the
 * cheap copy {@code Manager.stats()} makes) and records it back on this loop. Latency points are
 * quantiles of the observations between two snapshots, interpolated within their bucket as
 * Prometheus' {@code histogram_quantile} does.
 */
final class History {
    static final int SECONDS = 300;

    private final EventLoop loop;
    private final StatusSource source;
    /** {t, pushed/s, finished/s, failed/s, e2e p50, e2e p99, queue p50}, oldest first; owned by {@link #loop}. */
    private final ArrayDeque<double[]> points = new ArrayDeque<>();
    private ManagerStats previous;
    private ScheduledFuture<?> timer;

    History(EventLoop loop, StatusSource source) {
        this.loop = loop;
        this.source = source;
    }

    void start() {
        timer = loop.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
    }

    void stop() {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void sample() {
        source.snapshot().thenAcceptAsync(this::record, loop);
    }

    private void record(ManagerStats s) {
        double t = Math.floor(s.takenAt() / 1000.0);
        if (!points.isEmpty() && points.peekLast()[0] == t) {
            return; // a late tick: one point a second
        }
        ManagerStats before = previous;
        previous = s;
        ManagerStats.Rates r = s.rates();
        points.addLast(new double[] {t, r.pushedPerSecond(), r.finishedPerSecond(), r.failedPerSecond(),
                before == null ? Double.NaN : quantile(s.endToEnd(), before.endToEnd(), 0.5),
                before == null ? Double.NaN : quantile(s.endToEnd(), before.endToEnd(), 0.99),
                before == null ? Double.NaN : quantile(s.timeInQueue(), before.timeInQueue(), 0.5)});
        while (points.size() > SECONDS) {
            points.removeFirst();
        }
    }

    /** The JSON of {@code /api/history}, written on the owning loop. */
    CompletableFuture<ByteBuf> json() {
        return CompletableFuture.supplyAsync(() -> {
            ByteBuf buf = Unpooled.buffer(64 + points.size() * 64);
            JsonWriter out = JsonWriter.to(buf);
            out.beginObject().name("columns").beginArray();
            for (String c : new String[] {"t", "pushed", "finished", "failed", "p50", "p99", "q50"}) {
                out.value(c);
            }
            out.endArray().name("points").beginArray();
            for (double[] p : points) {
                out.beginArray();
                for (double v : p) {
                    out.value(v); // NaN (no observation that second) is written null
                }
                out.endArray();
            }
            out.endArray().endObject();
            return buf;
        }, loop);
    }

    /** The q-quantile in seconds of the observations between two cumulative histograms; NaN when none. */
    static double quantile(ManagerStats.Histogram now, ManagerStats.Histogram before, double q) {
        double[] bounds = now.bucketBounds();
        long[] a = now.cumulativeCounts();
        long[] b = before.cumulativeCounts();
        long total = a[a.length - 1] - b[b.length - 1];
        if (total <= 0) {
            return Double.NaN;
        }
        double rank = q * total;
        for (int i = 0; i < bounds.length; i++) {
            long cumulative = a[i] - b[i];
            if (cumulative >= rank) {
                double lower = i == 0 ? 0 : bounds[i - 1];
                long below = i == 0 ? 0 : a[i - 1] - b[i - 1];
                long inBucket = cumulative - below;
                return inBucket > 0 ? lower + (bounds[i] - lower) * (rank - below) / inBucket : bounds[i];
            }
        }
        return bounds[bounds.length - 1]; // beyond the last bound: report it, as histogram_quantile does
    }
}
