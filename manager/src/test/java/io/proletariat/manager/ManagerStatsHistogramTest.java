package io.proletariat.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** {@link ManagerStats.Histogram}: the one quantile rule of every latency figure the manager shows. */
class ManagerStatsHistogramTest {
    private static ManagerStats.Histogram of(long... micros) {
        Histogram h = new Histogram(1, 3_600_000_000L, 2);
        long sum = 0;
        for (long us : micros) {
            h.recordValue(us);
            sum += us;
        }
        return ManagerStats.Histogram.of(h, sum);
    }

    @Test
    void quantilesAreWithinOnePercentAndNaNWhenEmpty() {
        long[] values = new long[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i + 1) * 100L; // 0.1 ms .. 100 ms
        }
        ManagerStats.Histogram h = of(values);
        assertThat(h.count()).isEqualTo(1000);
        assertThat(h.quantile(0.5)).isCloseTo(0.050, within(0.0005));
        assertThat(h.quantile(0.99)).isCloseTo(0.099, within(0.001));
        assertThat(h.sumSeconds()).isCloseTo(50.05, within(1e-9));
        assertThat(of().quantile(0.5)).isNaN();
    }

    @Test
    void sinceKeepsOnlyTheLaterObservations() {
        Histogram live = new Histogram(1, 3_600_000_000L, 2);
        for (int i = 0; i < 100; i++) {
            live.recordValue(10_000); // 10 ms, before
        }
        ManagerStats.Histogram before = ManagerStats.Histogram.of(live, 100 * 10_000L);
        for (int i = 0; i < 10; i++) {
            live.recordValue(1_000); // 1 ms, after
        }
        ManagerStats.Histogram after = ManagerStats.Histogram.of(live, 100 * 10_000L + 10 * 1_000L);

        ManagerStats.Histogram between = after.since(before);
        assertThat(between.count()).isEqualTo(10);
        assertThat(between.quantile(0.5)).isCloseTo(0.001, within(0.00001));
        assertThat(between.sumSeconds()).isCloseTo(0.010, within(1e-9));
        assertThat(before.count()).as("a snapshot does not change afterwards").isEqualTo(100);
    }

    @Test
    void bucketsAreCumulativeAndEndWithTheTotal() {
        ManagerStats.Histogram h = of(50, 700, 700, 3_000, 400_000_000L);
        double[] bounds = h.bucketBounds();
        long[] cumulative = h.cumulativeCounts();
        assertThat(cumulative).hasSize(bounds.length + 1);
        assertThat(cumulative[0]).as("<= 0.1 ms").isEqualTo(1);
        assertThat(cumulative[3]).as("<= 1 ms").isEqualTo(3);
        assertThat(cumulative[4]).as("<= 2.5 ms").isEqualTo(3);
        assertThat(cumulative[5]).as("<= 5 ms").isEqualTo(4);
        assertThat(cumulative[bounds.length - 1]).as("<= 300 s").isEqualTo(4);
        assertThat(cumulative[bounds.length]).isEqualTo(5);
        bounds[0] = 42;
        assertThat(h.bucketBounds()[0]).as("callers get copies").isEqualTo(0.0001);
    }
}
