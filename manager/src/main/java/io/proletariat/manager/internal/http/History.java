package io.proletariat.manager.internal.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.proletariat.manager.ManagerStats;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The last five minutes at one point a second (throughput and latency), served by
 * {@code GET /api/history}, so a dashboard opened now draws its charts at once.
 *
 * <p>Owned by one I/O event loop: a timer there asks the core for a snapshot each second (the
 * cheap copy {@code Manager.stats()} makes) and records it back on this loop. Latency points are
 * quantiles of the observations between two snapshots ({@link ManagerStats.Histogram#since}), by
 * the same rule as every other quantile the manager shows.
 */
final class History {
    static final int SECONDS = 300;
    private static final List<String> COLUMNS = List.of("t", "pushed", "finished", "failed", "p50", "p99", "q50");

    private final EventLoop loop;
    private final StatusSource source;
    /** {t, pushed/s, finished/s, failed/s, e2e p50, e2e p99, queue p50}, oldest first; owned by {@link #loop}. */
    private final ArrayDeque<double[]> points = new ArrayDeque<>();
    private ManagerStats previous;
    /** The newest point, for {@code /api/status}; written on {@link #loop}, read on any thread. */
    private volatile double[] last;
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
        ManagerStats.Histogram endToEnd = before == null ? null : s.endToEnd().since(before.endToEnd());
        ManagerStats.Histogram inQueue = before == null ? null : s.timeInQueue().since(before.timeInQueue());
        double[] point = {t, r.pushedPerSecond(), r.finishedPerSecond(), r.failedPerSecond(),
            endToEnd == null ? Double.NaN : endToEnd.quantile(0.5),
            endToEnd == null ? Double.NaN : endToEnd.quantile(0.99),
            inQueue == null ? Double.NaN : inQueue.quantile(0.5)};
        points.addLast(point);
        last = point;
        while (points.size() > SECONDS) {
            points.removeFirst();
        }
    }

    /** The newest point ({@code t}, then the columns of {@code /api/history}), or null before the first. */
    double[] last() {
        return last;
    }

    /** The JSON of {@code /api/history}, written on the owning loop. */
    CompletableFuture<ByteBuf> json() {
        return CompletableFuture.supplyAsync(() -> {
            List<Double[]> rows = new ArrayList<>(points.size());
            for (double[] p : points) {
                rows.add(Arrays.stream(p).mapToObj(HttpJson::figure).toArray(Double[]::new));
            }
            return HttpJson.write(Map.of("columns", COLUMNS, "points", rows));
        }, loop);
    }
}
