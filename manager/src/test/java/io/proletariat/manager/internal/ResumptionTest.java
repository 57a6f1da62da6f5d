package io.proletariat.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.proletariat.protocol.RawJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What Resumption keeps for works across managers, and the bounds that hold whatever peers send. */
class ResumptionTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final Connection worker = new Connection("C1", channel, 0, 0);

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private static RawJson result(String data) {
        return RawJson.of("{\"err\":null,\"data\":\"" + data + "\"}");
    }

    @Test
    void aStoredResultIsTakenOnce() {
        Resumption r = new Resumption(1 << 20);
        r.store("s/r/0", result("a"));
        assertThat(r.takeResult("s/r/0").toString()).contains("\"a\"");
        assertThat(r.takeResult("s/r/0")).isNull();
        assertThat(r.storedResults()).isZero();
    }

    @Test
    void storedResultsAreBoundedInBytesTheOldestGoingFirst() {
        RawJson big = result("x".repeat(1000));
        Resumption r = new Resumption(10 * big.byteLength());
        for (int i = 0; i < 25; i++) {
            r.store("s/r/" + i, big);
        }
        assertThat(r.storedResults()).isEqualTo(10);
        assertThat(r.resultsDropped).isEqualTo(15);
        assertThat(r.takeResult("s/r/14")).isNull();
        assertThat(r.takeResult("s/r/15")).isNotNull();
    }

    @Test
    void storedResultsAreBoundedInCount() {
        Resumption r = new Resumption(Long.MAX_VALUE);
        RawJson small = result("");
        for (int i = 0; i < Resumption.MAX_RESULTS + 5; i++) {
            r.store("u" + i, small);
        }
        assertThat(r.storedResults()).isEqualTo(Resumption.MAX_RESULTS);
        assertThat(r.takeResult("u4")).isNull();
        assertThat(r.takeResult("u5")).isNotNull();
    }

    @Test
    void aStoredResultReplacedByTheSameIdentityCountsItsBytesOnce() {
        Resumption r = new Resumption(1 << 20);
        r.store("s/r/0", result("a"));
        r.store("s/r/0", result("b"));
        assertThat(r.storedResults()).isEqualTo(1);
        assertThat(r.takeResult("s/r/0").toString()).contains("\"b\"");
    }

    @Test
    void aWorkerThatLeavesTakesItsRunningIdentitiesWithIt() {
        Resumption r = new Resumption(1 << 20);
        assertThat(r.running("s/r/0", worker)).isTrue();
        assertThat(r.running("s/r/1", worker)).isTrue();
        assertThat(r.runner("s/r/0")).isSameAs(worker);
        r.ran("s/r/0", worker);
        assertThat(r.runner("s/r/0")).isNull();
        assertThat(r.workerGone(worker)).containsExactly("s/r/1");
        assertThat(r.runningIdentities()).isZero();
        assertThat(r.workerGone(worker)).isEmpty();
    }

    @Test
    void liveWorksAreFoundByIdentityUntilTheyLeave() {
        Resumption r = new Resumption(1 << 20);
        Request request = new Request(worker, "R1", 0, 2, "sess");
        Work w = new Work("W1", request, RawJson.of("1"), null, 0, null, 1);
        assertThat(w.uid()).isEqualTo("sess/R1/1");
        r.index(w, w.uid());
        assertThat(r.work("sess/R1/1")).isSameAs(w);
        r.unindex(w);
        assertThat(r.work("sess/R1/1")).isNull();
        assertThat(w.indexed).isFalse();
    }
}
