package io.proletariat.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.proletariat.protocol.RawJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One live work per key; the rest wait behind it and finish with it, or take its place when it leaves without a result. */
class KeyHoldsTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final Connection client = new Connection("C1", channel, 0, 0);
    private final KeyHolds holds = new KeyHolds();
    private int seq;

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private Work work(String key) {
        int n = seq++;
        return new Work("W" + n, new Request(client, "r" + n, 0, 1, null), RawJson.of("1"), null, 0, key, 0);
    }

    /** Holds each in turn: the first owns their key, the others wait behind it. */
    private void holdAll(Work... works) {
        for (Work w : works) {
            holds.hold(w);
        }
    }

    @Test
    void theFirstWorkOwnsItsKeyAndLaterOnesAreHeld() {
        Work owner = work("k");
        Work held = work("k");
        Work other = work("other");
        assertThat(holds.hold(owner)).isFalse();
        assertThat(holds.hold(held)).isTrue();
        assertThat(holds.hold(other)).isFalse();
        assertThat(held.state()).isEqualTo(Work.State.HELD);
        assertThat(holds.heldCount()).isOne();
    }

    @Test
    void whenTheOwnerFinishesTheHeldWorksFinishWithItInArrivalOrderAndTheKeyIsFree() {
        Work owner = work("k");
        Work first = work("k");
        Work second = work("k");
        holdAll(owner, first, second);
        assertThat(holds.finished(owner)).containsExactly(first, second);
        assertThat(holds.heldCount()).isZero();
        assertThat(holds.hold(work("k"))).as("the key is free again").isFalse();
    }

    @Test
    void whenTheOwnerLeavesWithoutAResultTheLongestHeldTakesItsPlace() {
        Work owner = work("k");
        Work first = work("k");
        Work second = work("k");
        holdAll(owner, first, second);
        assertThat(holds.release(owner)).isSameAs(first);
        assertThat(holds.heldCount()).isOne();
        assertThat(holds.release(first)).isSameAs(second);
        assertThat(holds.release(second)).isNull();
        assertThat(holds.hold(work("k"))).as("the key is free again").isFalse();
    }

    @Test
    void aHeldWorkThatLeavesIsSkipped() {
        Work owner = work("k");
        Work first = work("k");
        Work second = work("k");
        holdAll(owner, first, second);
        holds.unhold(first);
        assertThat(holds.heldCount()).isOne();
        assertThat(holds.release(owner)).isSameAs(second);
    }

    @Test
    void onlyTheOwnerReleasesOrFinishesItsKey() {
        Work owner = work("k");
        Work held = work("k");
        holds.hold(owner);
        holds.hold(held);
        assertThat(holds.release(held)).isNull();
        assertThat(holds.finished(held)).isEmpty();
        assertThat(holds.finished(work(null))).isEmpty();
        assertThat(holds.heldCount()).isOne();
    }
}
