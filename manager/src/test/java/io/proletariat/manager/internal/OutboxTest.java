package io.proletariat.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.proletariat.manager.ManagerOptions;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Outbox: what it counts as a backlog (issue 12, item 11: a reset peer is no slow reader). */
class OutboxTest {

    /** A channel whose peer is gone: the first write fails and closes it, as a reset socket does. */
    private static EmbeddedChannel resetOnWrite() {
        return new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ReferenceCountUtil.release(msg);
                ctx.close(); // the socket was reset: the channel closes while writing
                promise.trySuccess();
            }
        });
    }

    @Test
    void aChannelClosedByItsOwnWriteIsNotClosedForBacklog() {
        EmbeddedChannel loop = new EmbeddedChannel();
        DispatchCore core = new DispatchCore(loop.eventLoop(), ManagerOptions.builder().build());
        EmbeddedChannel ch = resetOnWrite();
        Connection c = core.connected(ch);
        core.receive(c, InboundDecoder.decode("{\"command\":\"status\"}".getBytes(StandardCharsets.UTF_8)));
        loop.runPendingTasks();
        assertThat(ch.isActive()).isFalse();
        assertThat(core.outbox.closedForBacklog).isZero();
        ch.finishAndReleaseAll();
        loop.finishAndReleaseAll();
    }

    @Test
    void peersResettingRightAfterARequestAreNeverClosedForBacklog() throws Exception {
        ManagerServer server = ManagerServer.start(ManagerOptions.builder().port(0).bindAddress("127.0.0.1").build());
        try {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.localAddress().getPort());
            byte[] status = "{\"command\":\"status\"}".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 200; i++) {
                try (Socket s = new Socket()) {
                    s.connect(address, 5000);
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    out.writeInt(status.length);
                    out.write(status);
                    out.flush();
                    s.setSoLinger(true, 0); // close sends RST
                }
            }
            await().until(() -> server.counts().connections() == 0);
            assertThat(server.query(() -> server.core().outbox.closedForBacklog)).isZero();
        } finally {
            server.stop();
        }
    }
}
