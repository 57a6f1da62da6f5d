package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.proletariat.protocol.RawJson;
import org.junit.jupiter.api.Test;

/** The daemon prints a system message abbreviated: a peer may send megabytes (issue 12, item 7). */
class SysmsgPrintTest {
    @Test
    void aLargeMessageIsPrintedAsItsFirstTwoHundredCharactersAndItsSize() {
        RawJson big = RawJson.of("\"" + "é".repeat(1_000_000) + "\"");
        String printed = ManagerCommand.abbreviate(big);
        assertThat(printed).isEqualTo("\"" + "é".repeat(199) + "... (2000002 bytes)");
    }

    @Test
    void aSmallMessageIsPrintedWhole() {
        assertThat(ManagerCommand.abbreviate(RawJson.of("{\"hello\":\"everybody\"}"))).isEqualTo("{\"hello\":\"everybody\"}");
        String twoHundredAccents = "\"" + "é".repeat(198) + "\"";
        assertThat(ManagerCommand.abbreviate(RawJson.of(twoHundredAccents))).isEqualTo(twoHundredAccents);
    }
}
