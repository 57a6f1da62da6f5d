package io.proletariat.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.proletariat.client.internal.Json;
import io.proletariat.protocol.JsNumbers;
import io.proletariat.protocol.RawJson;
import io.proletariat.worker.RealWork.Phase;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A work's phase moves only along its table: a bookkeeping bug fails loudly instead of freeing a busy slot. */
class RealWorkPhaseTest {
    private static RealWork work() {
        return new RealWork("W1", RawJson.of("1"), JsNumbers.NAN, Json.DEFAULT_MAPPER, Runnable::run);
    }

    @Test
    void theTableAllowsExactlyTheseMoves() {
        for (Phase from : Phase.values()) {
            Set<Phase> allowed = EnumSet.noneOf(Phase.class);
            for (Phase to : Phase.values()) {
                if (from.allows(to)) {
                    allowed.add(to);
                }
            }
            Set<Phase> expected = switch (from) {
                case RUNNING -> EnumSet.of(Phase.RETURNED, Phase.HELD, Phase.CANCELLED);
                case RETURNED, CANCELLED -> EnumSet.of(Phase.FINISHED);
                case HELD -> EnumSet.of(Phase.FINISHED, Phase.CANCELLED);
                case FINISHED -> EnumSet.noneOf(Phase.class);
            };
            assertThat(allowed).as("moves from %s", from).isEqualTo(expected);
        }
        assertThat(EnumSet.allOf(Phase.class)).filteredOn(Phase::open).containsExactly(Phase.RUNNING, Phase.RETURNED);
    }

    @Test
    void anIllegalMoveIsRefused() {
        RealWork w = work();
        assertThat(w.phase()).isEqualTo(Phase.RUNNING);
        w.moveTo(Phase.HELD);
        w.moveTo(Phase.FINISHED);
        assertThatThrownBy(() -> w.moveTo(Phase.CANCELLED)).isInstanceOf(IllegalStateException.class)
                .hasMessage("work W1: no move from FINISHED to CANCELLED");
        assertThat(w.phase()).isEqualTo(Phase.FINISHED);
    }
}
