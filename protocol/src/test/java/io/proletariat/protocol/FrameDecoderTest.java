package io.proletariat.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
    private static ByteBuf frame(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return Unpooled.buffer().writeInt(b.length).writeBytes(b);
    }

    @Test
    void reassemblesSplitFramesAndSplitsMergedOnes() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(1024));
        ByteBuf both = Unpooled.wrappedBuffer(frame("{\"a\":\"спасибо\"}"), frame("{}"));
        ch.writeInbound(both.readRetainedSlice(3));
        ch.writeInbound(both.readRetainedSlice(10));
        assertThat((Object) ch.readInbound()).isNull();
        ch.writeInbound(both);
        assertThat(new String((byte[]) ch.readInbound(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":\"спасибо\"}");
        assertThat(new String((byte[]) ch.readInbound(), StandardCharsets.UTF_8)).isEqualTo("{}");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void skipsZeroLengthFrames() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(1024));
        ch.writeInbound(Unpooled.buffer().writeInt(0).writeBytes(frame("{}")));
        assertThat(new String((byte[]) ch.readInbound(), StandardCharsets.UTF_8)).isEqualTo("{}");
    }

    @Test
    void oversizeAndNegativeLengthsFailFromTheHeaderAndDiscardTheRest() {
        for (long header : new long[] {1025, 0x80000000L, 0xFFFFFFFFL}) {
            EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(1024));
            assertThatThrownBy(() -> ch.writeInbound(Unpooled.buffer().writeInt((int) header).writeBytes(new byte[10])))
                    .isInstanceOf(FrameTooLargeException.class)
                    .satisfies(e -> assertThat(((FrameTooLargeException) e).declaredLength()).isEqualTo(header));
            ch.writeInbound(frame("{}"));
            assertThat((Object) ch.readInbound()).isNull();
        }
    }

    @Test
    void aLargeFrameArrivingInManyReadsIsReassembledExactlyAndItsHeldBytesReported() {
        long[] held = {0};
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(1 << 20, delta -> held[0] += delta));
        StringBuilder big = new StringBuilder("\"");
        for (int i = 0; big.length() < 3 * FrameDecoder.COMPOSITE_ABOVE; i++) {
            big.append(i % 10);
        }
        String json = big.append('"').toString();
        ByteBuf both = Unpooled.wrappedBuffer(frame(json), frame("{\"small\":1}"));
        while (both.readableBytes() > 1000) {
            ch.writeInbound(both.readRetainedSlice(1000)); // past 64 KiB the reads are kept as a list
        }
        assertThat(held[0]).isPositive();
        ch.writeInbound(both);
        assertThat(new String((byte[]) ch.readInbound(), StandardCharsets.UTF_8)).isEqualTo(json);
        assertThat(new String((byte[]) ch.readInbound(), StandardCharsets.UTF_8)).isEqualTo("{\"small\":1}");
        assertThat(held[0]).isZero();
        assertThat(ch.finish()).isFalse();
    }
}
