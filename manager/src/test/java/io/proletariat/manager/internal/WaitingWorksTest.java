package io.proletariat.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.proletariat.protocol.RawJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The heap of waiting works alone, on a frozen clock: order, removal, one timer, and its cost at a million works. */
class WaitingWorksTest {
    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final List<Work> released = new ArrayList<>();
    private WaitingWorks waiting;
    private Connection client;

    private WaitingWorks waiting() {
        loop.freezeTime();
        waiting = new WaitingWorks(loop.eventLoop(), task -> task);
        waiting.onDue(released::add);
        client = new Connection("C1", new EmbeddedChannel(), 0, 0);
        return waiting;
    }

    private Work work(int n) {
        return new Work("W" + n, new Request(client, "r", 0, 1, null), RawJson.NULL, null, 0, null, 0);
    }

    private void advance(long millis) {
        loop.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
    }

    @AfterEach
    void close() {
        loop.finishAndReleaseAll();
    }

    @Test
    void worksComeOutByDueTimeThenInTheOrderTheyCameIn() {
        waiting();
        long now = waiting.now();
        Work late = work(1);
        Work early = work(2);
        Work sameA = work(3);
        Work sameB = work(4);
        waiting.add(late, now + ms(300));
        waiting.add(sameA, now + ms(100));
        waiting.add(early, now + ms(50));
        waiting.add(sameB, now + ms(100));
        advance(49);
        assertThat(released).isEmpty();
        advance(1);
        assertThat(released).containsExactly(early);
        advance(50);
        assertThat(released).containsExactly(early, sameA, sameB);
        advance(200);
        assertThat(released).containsExactly(early, sameA, sameB, late);
        assertThat(waiting.size()).isZero();
    }

    @Test
    void aRemovedWorkNeverComesOutAndItsTimerGivesWayToTheNext() {
        waiting();
        long now = waiting.now();
        Work a = work(1);
        Work b = work(2);
        waiting.add(a, now + ms(10));
        waiting.add(b, now + ms(20));
        assertThat(waiting.remove(a)).isTrue();
        assertThat(waiting.remove(a)).isFalse();
        advance(10);
        assertThat(released).isEmpty();
        advance(10);
        assertThat(released).containsExactly(b);
        assertThat(a.waitIndex).isEqualTo(-1);
        assertThat(b.waitIndex).isEqualTo(-1);
    }

    @Test
    void aMillionWorksAddedAndSomeRemovedAtRandomComeOutInOrderInAFewBytesEach() {
        waiting();
        int n = 1_000_000;
        Random random = new Random(42);
        Work[] works = new Work[n];
        for (int i = 0; i < n; i++) {
            works[i] = work(i);
        }
        long before = usedHeap();
        long now = waiting.now();
        for (int i = 0; i < n; i++) {
            waiting.add(works[i], now + ms(1 + random.nextInt(10_000)));
        }
        long after = usedHeap();
        long bytesPerWork = (after - before) / n;
        System.out.println("heap per waiting work, beyond the work: " + bytesPerWork + " bytes");
        assertThat(bytesPerWork).isLessThanOrEqualTo(16); // the array slot (4 bytes, up to 1.5x spare); no object per work (a ScheduledFuture: ~100)
        int removed = 0;
        for (int i = 0; i < n; i += 7) {
            assertThat(waiting.remove(works[i])).isTrue();
            removed++;
        }
        assertThat(waiting.size()).isEqualTo(n - removed);
        for (int t = 0; t < 10_001 && waiting.size() > 0; t += 100) {
            advance(100);
            loop.runPendingTasks();
        }
        assertThat(released).hasSize(n - removed);
        for (int i = 1; i < released.size(); i++) {
            Work prev = released.get(i - 1);
            Work w = released.get(i);
            assertThat(prev.dueNanos < w.dueNanos || prev.dueNanos == w.dueNanos && prev.waitSeq < w.waitSeq)
                    .as("released in order at %d", i).isTrue();
        }
        for (int i = 0; i < n; i += 7) {
            assertThat(works[i].waitIndex).isEqualTo(-1);
        }
    }

    @Test
    void manyWorksDueAtOnceAreReleasedInBoundedTasks() {
        waiting();
        long now = waiting.now();
        int n = WaitingWorks.RELEASE_PER_TASK * 2 + 5;
        for (int i = 0; i < n; i++) {
            waiting.add(work(i), now + ms(10));
        }
        advance(10);
        assertThat(released).hasSize(WaitingWorks.RELEASE_PER_TASK); // the rest wait for the next task, behind other events
        loop.runPendingTasks();
        assertThat(released).hasSize(n);
        assertThat(waiting.size()).isZero();
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
