package io.proletariat.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.proletariat.manager.ManagerOptions;
import org.junit.jupiter.api.Test;

/** The connection limit meets the file descriptor limit first (issue 12, item 10). */
class ConnectionLimitTest {

    @Test
    void theDescriptorLimitLowersTheConfiguredLimit() {
        assertThat(ConnectionLimit.effective(20_000, 20_000)).isEqualTo(20_000 - ConnectionLimit.RESERVE);
        assertThat(ConnectionLimit.effective(20_000, 65_536)).isEqualTo(20_000);
        assertThat(ConnectionLimit.effective(100, 1_024)).isEqualTo(100);
        assertThat(ConnectionLimit.effective(20_000, 100)).isEqualTo(1);
        assertThat(ConnectionLimit.effective(20_000, -1)).as("unknown descriptor limit").isEqualTo(20_000);
    }

    @Test
    void theManagerUsesTheEffectiveLimit() {
        long fds = ConnectionLimit.maxFileDescriptors();
        assertThat(fds).as("this JVM tells the descriptor limit").isPositive();
        EmbeddedChannel loop = new EmbeddedChannel();
        DispatchCore above = new DispatchCore(loop.eventLoop(), ManagerOptions.builder().maxConnections(Integer.MAX_VALUE).build());
        assertThat(above.maxConnections).isEqualTo(ConnectionLimit.effective(Integer.MAX_VALUE, fds)).isLessThan((int) fds);
        DispatchCore below = new DispatchCore(loop.eventLoop(), ManagerOptions.builder().maxConnections(2).build());
        assertThat(below.maxConnections).isEqualTo(2);
        loop.finishAndReleaseAll();
    }
}
