package io.proletariat.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast scanner behind {@link RawJson#parse(byte[], int)} against Jackson: whatever it accepts,
 * Jackson accepts with the same values, slices and members; whatever it gives up on goes to Jackson.
 */
class RawJsonScannerTest {
    private static final String[] FRAMES = {
        "{\"work\":[{\"id\":\"W1R0\",\"args\":{\"p\":\"xxxxxxxxxxxxxxxxxxxxxx\"},\"timeout\":500}],\"command\":\"push\"}",
        "{\"to\":\"push\",\"rid\":\"R123456r7\",\"group\":\"R123456r7\",\"work\":[\"W1R0\",\"W1R1\"],\"command\":\"answer\"}",
        "{\"work\":[{\"id\":\"W1R0\",\"result\":{\"err\":null,\"data\":{\"p\":[1,-2.5e3,true,false,null,{}]}}}],\"command\":\"done\"}",
        "{\"description\":\"спасибо for the 1 works\",\"to\":\"done\",\"command\":\"answer\"}",
        "[\"é\",\"€\",\"\uD83D\uDE00\",\"\uFFFD\",\"\u07FF\",\"\u0800\",\"\uD7FF\",\"\uE000\",\"\uDBFF\uDFFF\"]",
        " { \"a\" : [ 1 , 2 ] , \"a\" : { } , \"b\" : [ ] } ",
        "{\"s\":\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9\\uD83D\\uDE00\",\"n\":0,\"m\":-0.0,\"e\":1E+2,\"f\":1e-2}",
        "[]", "{}", "0", "-1", "\"\"", "true", "false", "null", "123.456e789",
    };

    /** Inputs Jackson refuses, reads otherwise, or that lie outside the scanner's subset. */
    private static final String[] EDGES = {
        "", " ", "{", "}", "[", "]", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}", "01", "-01", "-", "1.", ".5",
        "1e", "1e+", "+1", "1 2", "[1 2]", "truex", "nul", "tru", "[true1]", "NaN", "Infinity", "\"a", "\"\\x\"", "\"\\u12\"",
        "\"\\u12g4\"", "\"tab\there\"", "\"é\"", "{\"é\":1}", "{\"a\\u0062\":1}", "\uFEFF{}", "[1]x", "/*c*/1", "{\"a\":1}}",
        "[[[[[[[[[[1]]]]]]]]]]", "1 ", " 2\t", "true ", "null\n", "\"s\" ", "{} ", "[]\r", "1".repeat(150), "\"a\u0000b\"", "\u007f", "\"\u007f\"",
    };

    @Test
    void agreesWithJacksonOnFramesAndEdges() {
        for (String s : FRAMES) {
            assertThat(check(s.getBytes(StandardCharsets.UTF_8))).as("the scanner reads %s itself", s).isTrue();
        }
        for (String s : EDGES) {
            check(s.getBytes(StandardCharsets.UTF_8));
        }
        byte[] deep = ("[".repeat(300) + "]".repeat(300)).getBytes(StandardCharsets.US_ASCII);
        assertThat(check(deep)).as("deeper than the scanner goes: Jackson decides").isFalse();
    }

    @Test
    void leavesIllFormedUtf8ToJackson() {
        int[][] illFormed = {{0xC0, 0x80}, {0xC1, 0xBF}, {0xE0, 0x80, 0x80}, {0xED, 0xA0, 0x80}, {0xF0, 0x80, 0x80, 0x80},
            {0xF4, 0x90, 0x80, 0x80}, {0xF5, 0x80, 0x80, 0x80}, {0x80}, {0xBF}, {0xC2}, {0xE2, 0x82}, {0xFF}, {0xC2, 0x22}};
        for (int[] bad : illFormed) {
            byte[] text = new byte[bad.length + 2];
            text[0] = '"';
            for (int i = 0; i < bad.length; i++) {
                text[i + 1] = (byte) bad[i];
            }
            text[text.length - 1] = '"';
            assertThat(RawJson.Scanner.parse(text, 0)).as("ill-formed UTF-8 %s", Arrays.toString(bad)).isNull();
        }
    }

    @Test
    void agreesWithJacksonOnMutatedFrames() {
        Random random = new Random(1917);
        byte[] alphabet = "{}[]:,\"\\ \t\n-+.0123456789eEtrufalsn\u0001x/".getBytes(StandardCharsets.ISO_8859_1);
        int readByScanner = 0;
        for (int round = 0; round < 100_000; round++) {
            byte[] frame = FRAMES[random.nextInt(FRAMES.length)].getBytes(StandardCharsets.UTF_8);
            List<Byte> bytes = new ArrayList<>();
            for (byte b : frame) {
                bytes.add(b);
            }
            for (int edits = 1 + random.nextInt(3); edits > 0 && !bytes.isEmpty(); edits--) {
                int at = random.nextInt(bytes.size());
                byte b = random.nextInt(10) == 0 ? (byte) (0x80 + random.nextInt(0x80)) : alphabet[random.nextInt(alphabet.length)];
                switch (random.nextInt(3)) {
                    case 0 -> bytes.set(at, b);
                    case 1 -> bytes.add(at, b);
                    default -> bytes.remove(at);
                }
            }
            byte[] mutated = new byte[bytes.size()];
            for (int i = 0; i < mutated.length; i++) {
                mutated[i] = bytes.get(i);
            }
            if (check(mutated)) {
                readByScanner++;
            }
        }
        assertThat(readByScanner).as("mutations the scanner read itself").isGreaterThan(5_000);
    }

    /** Checks one input at every index depth; true when the scanner read it itself. */
    private static boolean check(byte[] text) {
        boolean read = false;
        for (int depth = 0; depth <= 4; depth++) {
            RawJson fast = RawJson.Scanner.parse(text, depth);
            if (fast == null) {
                continue;
            }
            read = true;
            RawJson reference;
            try {
                reference = RawJson.parseWithJackson(text, depth);
            } catch (MalformedJsonException e) {
                fail("the scanner read %s, which Jackson refuses: %s", Arrays.toString(text), e.getMessage());
                return false;
            }
            assertSame(fast, reference, Arrays.toString(text));
        }
        return read;
    }

    private static void assertSame(RawJson fast, RawJson reference, String input) {
        assertThat(fast.kind()).as(input).isEqualTo(reference.kind());
        assertThat(fast.toString()).as(input).isEqualTo(reference.toString());
        if (fast.isString()) {
            assertThat(fast.asText()).as(input).isEqualTo(reference.asText());
        }
        if (fast.isObject()) {
            Map<String, RawJson> f = fast.fields();
            Map<String, RawJson> r = reference.fields();
            assertThat(new ArrayList<>(f.keySet())).as(input).isEqualTo(new ArrayList<>(r.keySet()));
            for (String name : r.keySet()) {
                assertSame(f.get(name), r.get(name), input);
            }
        } else if (fast.isArray()) {
            List<RawJson> f = fast.elements();
            List<RawJson> r = reference.elements();
            assertThat(f).as(input).hasSameSizeAs(r);
            for (int i = 0; i < r.size(); i++) {
                assertSame(f.get(i), r.get(i), input);
            }
        }
    }
}
