package io.proletariat.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import io.proletariat.manager.internal.Work.State;
import io.proletariat.protocol.RawJson;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The work's one table of moves: every move it lists is made, every other one is refused and changes nothing. */
class WorkTest {
    /** The moves the manager makes, written out again here so that a change to the table is a change to this test. */
    private static final Map<State, Set<State>> LEGAL = Map.of(
            State.NEW, EnumSet.of(State.HELD, State.QUEUED, State.PARKED, State.DELAYED, State.RETRY_WAIT, State.DONE),
            State.PARKED, EnumSet.of(State.QUEUED, State.DONE),
            State.HELD, EnumSet.of(State.QUEUED, State.DONE),
            State.DELAYED, EnumSet.of(State.QUEUED, State.HELD, State.DONE),
            State.RETRY_WAIT, EnumSet.of(State.QUEUED, State.DONE),
            State.QUEUED, EnumSet.of(State.ASSIGNED, State.PREFETCHED, State.DONE),
            State.PREFETCHED, EnumSet.of(State.RUNNING, State.ASSIGNED, State.QUEUED, State.DONE),
            State.ASSIGNED, EnumSet.of(State.RUNNING, State.QUEUED, State.RETRY_WAIT, State.DONE),
            State.RUNNING, EnumSet.of(State.QUEUED, State.RETRY_WAIT, State.DONE),
            State.DONE, EnumSet.noneOf(State.class));

    private final EmbeddedChannel channel = new EmbeddedChannel();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private Work workIn(State state) {
        Connection client = new Connection("C1", channel, 0, 0);
        Work w = new Work("W1", new Request(client, "r", 0, 1, null), RawJson.of("1"), null, 0, null, 0);
        // The shortest legal path from NEW to the state wanted.
        switch (state) {
            case NEW -> { }
            case HELD -> w.moveTo(State.HELD);
            case PARKED -> w.moveTo(State.PARKED);
            case DELAYED -> w.moveTo(State.DELAYED);
            case RETRY_WAIT -> {
                w.moveTo(State.QUEUED);
                w.moveTo(State.ASSIGNED);
                w.moveTo(State.RETRY_WAIT);
            }
            case QUEUED -> w.moveTo(State.QUEUED);
            case ASSIGNED -> {
                w.moveTo(State.QUEUED);
                w.moveTo(State.ASSIGNED);
            }
            case PREFETCHED -> {
                w.moveTo(State.QUEUED);
                w.moveTo(State.PREFETCHED);
            }
            case RUNNING -> {
                w.moveTo(State.QUEUED);
                w.moveTo(State.ASSIGNED);
                w.moveTo(State.RUNNING);
            }
            case DONE -> {
                w.moveTo(State.QUEUED);
                w.moveTo(State.DONE);
            }
        }
        assertThat(w.state()).isEqualTo(state);
        return w;
    }

    @Test
    void aNewWorkStartsNew() {
        assertThat(workIn(State.NEW).live()).isTrue();
    }

    @Test
    void everyListedMoveIsMade() {
        LEGAL.forEach((from, targets) -> targets.forEach(to -> {
            Work w = workIn(from);
            w.moveTo(to);
            assertThat(w.state()).as("%s -> %s", from, to).isEqualTo(to);
        }));
    }

    @Test
    void everyOtherMoveIsRefusedAndChangesNothing() {
        int refused = 0;
        for (State from : State.values()) {
            for (State to : State.values()) {
                if (LEGAL.get(from).contains(to)) {
                    continue;
                }
                Work w = workIn(from);
                assertThatThrownBy(() -> w.moveTo(to)).as("%s -> %s", from, to)
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining(from + " to " + to);
                assertThat(w.state()).isEqualTo(from);
                refused++;
            }
        }
        assertThat(refused).isEqualTo(100 - 29);
    }

    @Test
    void onlyDoneIsNotLive() {
        for (State s : State.values()) {
            assertThat(workIn(s).live()).as("%s", s).isEqualTo(s != State.DONE);
        }
    }
}
