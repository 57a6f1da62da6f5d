package io.proletariat.manager.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the frames the core wrote to an embedded channel, for the tests of the core's pieces. */
final class OutboundFrames {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OutboundFrames() {
    }

    /** Every frame written to the channel since the last call, as the text on the wire. */
    static List<String> texts(Channel channel) {
        EmbeddedChannel ch = (EmbeddedChannel) channel;
        List<String> frames = new ArrayList<>();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            try {
                while (buf.isReadable()) {
                    int n = buf.readInt();
                    frames.add(buf.readCharSequence(n, StandardCharsets.UTF_8).toString());
                }
            } finally {
                buf.release();
            }
        }
        return frames;
    }

    /** Every frame written to the channel since the last call, parsed. */
    static List<JsonNode> json(Channel channel) {
        List<JsonNode> frames = new ArrayList<>();
        for (String text : texts(channel)) {
            try {
                frames.add(JSON.readTree(text));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return frames;
    }
}
