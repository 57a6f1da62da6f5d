package io.proletariat.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.proletariat.manager.ManagerStats;
import java.util.List;
import org.junit.jupiter.api.Test;

class MergedRangesTest {
    private static ManagerStats.WorkerStats worker(String id, ManagerStats.RangeStats... ranges) {
        return new ManagerStats.WorkerStats(id, "127.0.0.1:1", 0, 0, 0, List.of(ranges), 0);
    }

    @Test
    void rangesWithTheSameStartAreSummedLowestStartFirstNamingTheirWorkersInOrder() {
        List<MergedRanges.Merged> merged = MergedRanges.of(List.of(
                worker("A", new ManagerStats.RangeStats(0, 2, 1), new ManagerStats.RangeStats(5, 4, 0)),
                worker("B", new ManagerStats.RangeStats(0, 3, 3))));
        assertThat(merged).containsExactly(
                new MergedRanges.Merged(0, 5, 4, List.of("A", "B")),
                new MergedRanges.Merged(5, 4, 0, List.of("A")));
    }

    @Test
    void noWorkersNoRanges() {
        assertThat(MergedRanges.of(List.of())).isEmpty();
    }
}
