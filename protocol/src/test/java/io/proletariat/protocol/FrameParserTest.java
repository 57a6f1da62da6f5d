package io.proletariat.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reused parser reads every frame exactly as a fresh {@link RawJson#parser(byte[])} does: the
 * same tokens at the same offsets, the same texts, the same failures, frame after frame, also
 * after frames that failed half-way.
 */
class FrameParserTest {
    private static final String[] FRAMES = {
        "{\"command\":\"push\",\"rid\":\"R1\",\"work\":[{\"op\":\"echo\",\"payload\":\"0123456789abcdef\"}]}",
        "{\"work\":[{\"id\":\"W123456R1\",\"result\":{\"err\":null,\"data\":{\"a\":[1,2.5e3,-0,true,false,null]}}}],\"command\":\"done\"}",
        "{\"a\":",                                           // truncated
        "{\"to\":\"push\",\"accepted\":[\"W1\",\"W2\"],\"rejected\":[],\"command\":\"answer\"}",
        "{} {}",                                             // trailing value
        "{\"s\":\"esc \\\" \\\\ \\u00e9 \\ud83d\\ude00 спасибо\",\"n\":12345678901234567890}",
        "{\"a\" 1}",                                         // missing colon
        "{\"deep\":" + "[".repeat(998) + "]".repeat(998) + "}",
        "{\"deeper\":" + "[".repeat(1000) + "]".repeat(1000) + "}", // above the nesting limit
        "{\"x\":\"bad \u0001 control\"}",                    // a raw control character in a string
        "{\"command\":\"ping\"}  \n",
        "{\"k\":[1,]}",
        "{\"a\":\"unterminated",
        "{\"\u00e9t\u00e9\":1,\"multi\nline\":[\n{\"a\":\n2}]}",
        "{\"command\":\"status\"}",
    };

    @Test
    void readsEveryFrameAsAFreshParser() throws IOException {
        FrameParser reused = new FrameParser();
        for (int round = 0; round < 3; round++) {
            for (String frame : FRAMES) {
                byte[] text = frame.getBytes(StandardCharsets.UTF_8);
                List<String> expected;
                try (JsonParser fresh = RawJson.parser(text)) {
                    expected = walk(fresh);
                }
                List<String> actual;
                boolean clean = false;
                try {
                    actual = walk(reused.open(text));
                    clean = !actual.get(actual.size() - 1).startsWith("failed");
                } finally {
                    reused.close(clean);
                }
                assertThat(actual).as(frame).isEqualTo(expected);
            }
        }
    }

    @Test
    void framesJacksonWouldDecodeOtherwiseGetAFreshParser() throws IOException {
        FrameParser reused = new FrameParser();
        for (byte[] text : new byte[][] {
            "{\"a\":1}".getBytes(StandardCharsets.UTF_16LE),
            "{\"a\":1}".getBytes(StandardCharsets.UTF_16BE),
            "\ufeff{\"a\":1}".getBytes(StandardCharsets.UTF_8),
            " {\"a\":1}".getBytes(StandardCharsets.UTF_8),
            "[1]".getBytes(StandardCharsets.UTF_8),
            "{".getBytes(StandardCharsets.UTF_8),
        }) {
            List<String> expected;
            try (JsonParser fresh = RawJson.parser(text)) {
                expected = walk(fresh);
            }
            try {
                assertThat(walk(reused.open(text))).isEqualTo(expected);
            } finally {
                reused.close(true);
            }
        }
    }

    /** Every token with its start and end offsets and its text, then how the walk ended. */
    private static List<String> walk(JsonParser p) {
        List<String> seen = new ArrayList<>();
        try {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                long start = p.currentTokenLocation().getByteOffset();
                assertThat(FrameParser.tokenOffset(p)).isEqualTo(start);
                String text = p.getText();
                long end = p.currentLocation().getByteOffset();
                assertThat(FrameParser.offset(p)).isEqualTo(end);
                seen.add(t + "@" + start + "-" + end + ":" + text);
            }
            seen.add("end");
        } catch (IOException | RuntimeException e) {
            seen.add("failed: " + e.getClass().getSimpleName());
        }
        return seen;
    }
}
