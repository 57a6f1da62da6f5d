package io.proletariat.manager.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * What the tests of the dispatch core share: the core called directly, without sockets, on
 * embedded channels whose clock the test freezes and moves, so timers run exactly and nothing waits.
 * A test builds its {@link #core} on {@link #loop} (after {@code loop.freezeTime()}).
 */
abstract class CoreTestBase {
    final EmbeddedChannel loop = new EmbeddedChannel();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    DispatchCore core;

    /** A channel the test made itself, closed with the others after the test. */
    EmbeddedChannel track(EmbeddedChannel ch) {
        channels.add(ch);
        return ch;
    }

    /** A new connection to the core, on an embedded channel of its own. */
    Connection connect() {
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        return core.connected(ch);
    }

    /** A frame from {@code c}, written with single quotes, and what it sets off on the loop. */
    void send(Connection c, String singleQuotedJson) {
        core.receive(c, InboundDecoder.decode(singleQuotedJson.replace('\'', '"').getBytes(StandardCharsets.UTF_8)));
        loop.runPendingTasks();
    }

    /** Moves the loop's clock and runs the timers that came due. */
    void advance(long millis) {
        loop.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
        loop.runPendingTasks();
    }

    /** Every frame written to the connection since the last call. */
    static List<JsonNode> frames(Connection c) {
        return OutboundFrames.json(c.channel);
    }

    @AfterEach
    void closeChannels() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        loop.finishAndReleaseAll();
    }
}
