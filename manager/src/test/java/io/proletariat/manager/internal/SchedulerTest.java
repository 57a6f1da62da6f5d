package io.proletariat.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.embedded.EmbeddedChannel;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.manager.WorkSelector;
import io.proletariat.protocol.RawJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's decisions, without a core or sockets: works are queued and workers offered by
 * hand, passes run when the test says, and timers fire when the test moves the frozen clock.
 */
class SchedulerTest {
    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final Outbox outbox = new Outbox(1 << 20, () -> { }, new MemoryBudget(1 << 20, 1 << 20), () -> { });
    private Connection client;
    private Scheduler scheduler;
    /** Passes the scheduler asked the core for. */
    private int passRequests;
    private int seq;

    private Scheduler scheduler(ManagerOptions.Builder options) {
        loop.freezeTime();
        scheduler = new Scheduler(loop.eventLoop(), options.build(), new Replies(outbox), new Events(), new Stats(),
                () -> passRequests++, task -> task);
        client = connection("client");
        return scheduler;
    }

    private Connection connection(String id) {
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        return new Connection(id, ch, 0, 0);
    }

    private Connection worker(String id, String slots) {
        Connection c = connection(id);
        scheduler.offered(c, Offers.parse(RawJson.of(slots.replace('\'', '"'))));
        return c;
    }

    private Work queue(int priority) {
        int n = seq++;
        Work w = new Work("W" + n, new Request(client, "r" + n, priority, 1, null), RawJson.of("1"), null, 0, null, 0);
        scheduler.queues.addLast(w);
        return w;
    }

    /** A work finished on its worker, as the core finishes it. */
    private void finish(Work w) {
        scheduler.detach(w);
        w.moveTo(Work.State.DONE);
    }

    private void advance(long millis) {
        loop.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
    }

    @AfterEach
    void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        loop.finishAndReleaseAll();
    }

    @Test
    void theHighestPriorityGoesFirstAndTheRestWaitsInOrder() {
        scheduler(ManagerOptions.builder());
        Connection worker = worker("A", "1");
        Work low = queue(0);
        Work high = queue(5);
        scheduler.pass();
        assertThat(high.state()).isEqualTo(Work.State.ASSIGNED);
        assertThat(high.worker).isSameAs(worker);
        assertThat(low.state()).isEqualTo(Work.State.QUEUED);
        assertThat(scheduler.busySlots()).isEqualTo(1);
        assertThat(scheduler.queues.size()).isEqualTo(1);
    }

    @Test
    void aPassSendsEachWorkerItsWorksInOneFrame() {
        scheduler(ManagerOptions.builder());
        Connection a = worker("A", "2");
        Connection b = worker("B", "2");
        for (int i = 0; i < 4; i++) {
            queue(0);
        }
        scheduler.pass();
        outbox.flush();
        List<JsonNode> toA = OutboundFrames.json(a.channel);
        List<JsonNode> toB = OutboundFrames.json(b.channel);
        assertThat(toA).singleElement().satisfies(f -> assertThat(f.get("work")).hasSize(2));
        assertThat(toB).singleElement().satisfies(f -> assertThat(f.get("work")).hasSize(2));
    }

    @Test
    void lowPrioritiesCannotTakeTheSlotsOfAHigherRange() {
        scheduler(ManagerOptions.builder());
        worker("A", "{'0':1,'10':2}");
        Work[] low = {queue(0), queue(0)};
        scheduler.pass();
        assertThat(low[0].state()).isEqualTo(Work.State.ASSIGNED);
        assertThat(low[1].state()).as("range 0 holds one slot").isEqualTo(Work.State.QUEUED);
        Work[] high = {queue(10), queue(10), queue(10)};
        scheduler.pass();
        // Range 10 may use 3 slots (its limit is cumulative), but the worker has only 2 left.
        assertThat(high[0].state()).isEqualTo(Work.State.ASSIGNED);
        assertThat(high[1].state()).isEqualTo(Work.State.ASSIGNED);
        assertThat(high[2].state()).isEqualTo(Work.State.QUEUED);
    }

    @Test
    void sacredRangesGuaranteeTheirOwnSlotsPlusTheBaseOnly() {
        scheduler(ManagerOptions.builder().sacredGuarantees(true));
        Connection worker = worker("A", "{'0':1,'5':1,'10':1}");
        assertThat(worker.rangeFor(10).limit).isEqualTo(2);
        Work[] high = {queue(10), queue(10), queue(10)};
        scheduler.pass();
        assertThat(high[0].state()).isEqualTo(Work.State.ASSIGNED);
        assertThat(high[1].state()).isEqualTo(Work.State.ASSIGNED);
        assertThat(high[2].state()).as("without sacred ranges it would get the third slot").isEqualTo(Work.State.QUEUED);
    }

    @Test
    void afterAFullMomentThePassWaitsForAvailThresholdFreeSlotsButNotPastDistribRandMax() {
        scheduler(ManagerOptions.builder().availThreshold(2).distribRandMax(Duration.ofMillis(100)));
        worker("A", "2");
        Work first = queue(0);
        queue(0);
        Work third = queue(0);
        scheduler.pass(); // two placed, one left with every slot taken: a full moment
        finish(first);
        scheduler.pass();
        assertThat(third.state()).as("one free slot is below the threshold").isEqualTo(Work.State.QUEUED);
        advance(99);
        assertThat(passRequests).isZero();
        advance(1);
        assertThat(passRequests).as("the deferred pass").isOne();
        scheduler.pass();
        assertThat(third.state()).isEqualTo(Work.State.ASSIGNED);
    }

    @Test
    void aNewWorkerEndsTheThresholdWait() {
        scheduler(ManagerOptions.builder().availThreshold(2).distribRandMax(Duration.ofSeconds(10)));
        worker("A", "1");
        queue(0);
        Work second = queue(0);
        scheduler.pass();
        worker("B", "1");
        scheduler.pass();
        assertThat(second.state()).isEqualTo(Work.State.ASSIGNED);
    }

    @Test
    void aWorkerThatRejectedIsPassedOverForABackoffThatDoublesUpToOneSecond() {
        scheduler(ManagerOptions.builder());
        Connection worker = worker("A", "1");
        Work w = queue(3);
        scheduler.pause(worker, List.of(w));
        scheduler.pass();
        assertThat(w.state()).isEqualTo(Work.State.QUEUED);
        advance(Scheduler.REJECT_BACKOFF_MIN_MS - 1);
        assertThat(passRequests).isZero();
        advance(1);
        assertThat(passRequests).isOne();
        scheduler.pass();
        assertThat(w.state()).isEqualTo(Work.State.ASSIGNED);

        List<Long> backoffs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            scheduler.pause(worker, List.of(w));
            backoffs.add(worker.backoffMillis);
        }
        assertThat(backoffs).containsExactly(200L, 400L, 800L, 1000L, 1000L);
        assertThat(worker.pausedFor(3)).isTrue();
        assertThat(worker.pausedFor(4)).as("only the priorities it rejected").isFalse();
        scheduler.delivered(worker);
        assertThat(worker.backoffMillis).isZero();
        assertThat(worker.pausedFor(3)).isFalse();
    }

    @Test
    void worksTheSelectorLeavesStayQueuedInTheirOrder() {
        WorkSelector none = (work, candidates, total) -> null;
        scheduler(ManagerOptions.builder().workSelector(none));
        worker("A", "5");
        Work first = queue(0);
        Work second = queue(0);
        scheduler.pass();
        assertThat(scheduler.busySlots()).isZero();
        WorkQueues.Level level = scheduler.queues.highestFirst().next();
        assertThat(level.poll()).isSameAs(first);
        assertThat(level.poll()).isSameAs(second);
    }

    @Test
    void aFailingSelectorFallsBackToTheDefault() {
        WorkSelector broken = (work, candidates, total) -> {
            throw new IllegalStateException("broken on purpose");
        };
        scheduler(ManagerOptions.builder().workSelector(broken));
        worker("A", "1");
        Work w = queue(0);
        scheduler.pass();
        assertThat(w.state()).isEqualTo(Work.State.ASSIGNED);
    }

    @Test
    void aDrainingWorkerShrinksToWhatItRunsAndTakesNoMore() {
        scheduler(ManagerOptions.builder());
        Connection worker = worker("A", "3");
        Work running = queue(0);
        scheduler.pass();
        scheduler.drain(worker);
        assertThat(scheduler.totalSlots()).isEqualTo(1);
        Work waiting = queue(0);
        scheduler.pass();
        assertThat(waiting.state()).isEqualTo(Work.State.QUEUED);
        finish(running);
        assertThat(scheduler.totalSlots()).isZero();
        assertThat(worker.totalSlots).isZero();
    }
}
