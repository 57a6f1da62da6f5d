package io.proletariat.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JSON value kept as the bytes it arrived in, so that the manager can pass work arguments and
 * results from one peer to another without ever building a tree of them.
 *
 * <p>A value is a slice of a frame's payload. Its {@link #kind()} is known at once; its members
 * ({@link #fields()}, {@link #elements()}) are found by scanning the slice on demand. Immutable and
 * safe to share between threads.
 */
public final class RawJson {
    /** The kind of a JSON value, from its first token. */
    public enum Kind { OBJECT, ARRAY, STRING, NUMBER, TRUE, FALSE, NULL }

    /**
     * Deepest nesting accepted, one level below Jackson's default of 1000: a dispatch nests a work's
     * args one level deeper than the push that brought them, so any args the manager accepts still
     * parse in a Jackson-based worker. Deeper input fails like invalid JSON (the manager answers
     * {@code EBADJSON}); the parser never recurses, so depth cannot exhaust the stack.
     */
    public static final int MAX_NESTING_DEPTH = 999;

    /**
     * The limits every proletariat parser applies: nesting up to {@link #MAX_NESTING_DEPTH}; strings
     * and member names of any length, since the frame limit (at most 2 GiB) already bounds them and a
     * lower limit would refuse a valid frame (Jackson's default string limit, 20,000,000 bytes, is
     * below the default 20 MiB frame). Numbers keep Jackson's limit of 1000 digits, which protects
     * whoever converts them. Use it for any {@code JsonFactory} or {@code ObjectMapper} that reads frames.
     */
    public static final StreamReadConstraints READ_CONSTRAINTS = StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .maxStringLength(Integer.MAX_VALUE)
            .maxNameLength(Integer.MAX_VALUE)
            .build();

    static final JsonFactory FACTORY = newJsonFactory();

    /** A new Jackson {@code JsonFactory} with the {@link #READ_CONSTRAINTS} (e.g. for an {@code ObjectMapper}). */
    public static JsonFactory newJsonFactory() {
        return JsonFactory.builder().streamReadConstraints(READ_CONSTRAINTS).build();
    }

    /** The JSON literal {@code null}. */
    public static final RawJson NULL = ofAscii("null", Kind.NULL);
    /** The JSON literal {@code true}. */
    public static final RawJson TRUE = ofAscii("true", Kind.TRUE);
    /** The JSON literal {@code false}. */
    public static final RawJson FALSE = ofAscii("false", Kind.FALSE);

    private final byte[] bytes;
    private final int offset;
    private final int length;
    private final Kind kind;
    /** The members (a Map) or elements (a List) when the value was indexed while parsing, else null. */
    private final Object index;

    private RawJson(byte[] bytes, int offset, int length, Kind kind) {
        this(bytes, offset, length, kind, null);
    }

    private RawJson(byte[] bytes, int offset, int length, Kind kind, Object index) {
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
        this.kind = kind;
        this.index = index;
    }

    private static RawJson ofAscii(String json, Kind kind) {
        byte[] b = json.getBytes(StandardCharsets.US_ASCII);
        return new RawJson(b, 0, b.length, kind);
    }

    /**
     * Parses a whole JSON text (one frame's payload), checking that it is well formed.
     *
     * @throws MalformedJsonException when the text is not exactly one valid JSON value
     */
    public static RawJson parse(byte[] text) {
        return parse(text, 0, text.length);
    }

    /** Parses the JSON text in {@code text[offset, offset+length)}; see {@link #parse(byte[])}. */
    public static RawJson parse(byte[] text, int offset, int length) {
        try (JsonParser p = FACTORY.createParser(text, offset, length)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new MalformedJsonException("empty JSON text");
            }
            RawJson value = capture(p, text, offset, first);
            if (p.nextToken() != null) {
                throw new MalformedJsonException("trailing data after the JSON value");
            }
            return value;
        } catch (IOException e) {
            throw new MalformedJsonException(e.getMessage());
        }
    }

    /**
     * Parses a whole JSON text like {@link #parse(byte[])}, and in the same pass indexes the objects
     * and arrays of its first {@code depth} levels (the root is level 0), so that {@link #fields()}
     * and {@link #elements()} on them cost nothing. Deeper values stay plain slices. A frame's
     * payload parsed with depth 4 answers {@code frame.work[i].result.err} without another pass.
     *
     * @throws MalformedJsonException when the text is not exactly one valid JSON value
     */
    public static RawJson parse(byte[] text, int depth) {
        RawJson fast = Scanner.parse(text, depth);
        return fast != null ? fast : parseWithJackson(text, depth);
    }

    /** {@link #parse(byte[], int)} by Jackson alone: the reference the fast {@link Scanner} must agree with. */
    static RawJson parseWithJackson(byte[] text, int depth) {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new MalformedJsonException("empty JSON text");
            }
            RawJson value = read(p, text, first, depth);
            if (p.nextToken() != null) {
                throw new MalformedJsonException("trailing data after the JSON value");
            }
            return value;
        } catch (IOException e) {
            throw new MalformedJsonException(e.getMessage());
        }
    }

    private static RawJson read(JsonParser p, byte[] text, JsonToken token, int depth) throws IOException {
        if (depth <= 0 || (token != JsonToken.START_OBJECT && token != JsonToken.START_ARRAY)) {
            return capture(p, text, 0, token);
        }
        int start = (int) p.currentTokenLocation().getByteOffset();
        Object index;
        Kind kind;
        if (token == JsonToken.START_OBJECT) {
            Members fields = new Members();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                fields.add(name, read(p, text, p.nextToken(), depth - 1));
            }
            index = fields.toMap();
            kind = Kind.OBJECT;
        } else {
            RawJson[] elements = new RawJson[4];
            int n = 0;
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
                if (n == elements.length) {
                    elements = java.util.Arrays.copyOf(elements, n * 2);
                }
                elements[n++] = read(p, text, t, depth - 1);
            }
            index = n == 0 ? Collections.emptyList()
                    : n == 1 ? Collections.singletonList(elements[0])
                    : Collections.unmodifiableList(java.util.Arrays.asList(n == elements.length ? elements : java.util.Arrays.copyOf(elements, n)));
            kind = Kind.ARRAY;
        }
        int end = (int) p.currentLocation().getByteOffset();
        return new RawJson(text, start, end - start, kind, index);
    }

    /**
     * Parses and indexes like {@link #parseWithJackson} without making a Jackson parser per frame
     * (its parser, contexts and buffers were most of what a client or worker allocated per frame).
     * It accepts only a strict subset of JSON on which Jackson surely agrees: strings of well-formed
     * UTF-8 without control characters and with the usual escapes, numbers as RFC 8259 writes them (at most 100
     * characters), nesting up to 200 levels, member names of ASCII without escapes. On anything else it
     * gives up ({@code null}) and Jackson decides, so what is accepted or refused, and with which
     * message, stays Jackson's.
     */
    static final class Scanner {
        private static final int MAX_DEPTH = 200;
        private static final int MAX_NUMBER = 100;
        /** Member names seen lately, so that the same names in every frame are not new strings each time. */
        private static final String[] NAMES = new String[256];

        private final byte[] text;
        private int at;

        private Scanner(byte[] text) {
            this.text = text;
        }

        /** The value, or null when the text is not in the subset (Jackson decides then). */
        static RawJson parse(byte[] text, int depth) {
            Scanner s = new Scanner(text);
            s.skipSpace();
            RawJson value = s.value(depth, 0);
            if (value == null || (value.isNumber() && s.at < text.length)) {
                return null; // Jackson's slice of a root number takes the whitespace after it: let Jackson cut it
            }
            s.skipSpace();
            return s.at == text.length ? value : null;
        }

        private void skipSpace() {
            while (at < text.length) {
                byte b = text[at];
                if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                    return;
                }
                at++;
            }
        }

        /** The value at {@link #at} (not whitespace), indexed down {@code depth} more levels; null to give up. */
        private RawJson value(int depth, int nesting) {
            if (at >= text.length || nesting > MAX_DEPTH) {
                return null;
            }
            int start = at;
            switch (text[at]) {
                case '{': return object(start, depth, nesting);
                case '[': return array(start, depth, nesting);
                case '"': return string() ? new RawJson(text, start, at - start, Kind.STRING) : null;
                case 't': return literal("true") ? new RawJson(text, start, 4, Kind.TRUE) : null;
                case 'f': return literal("false") ? new RawJson(text, start, 5, Kind.FALSE) : null;
                case 'n': return literal("null") ? new RawJson(text, start, 4, Kind.NULL) : null;
                default: return number() ? new RawJson(text, start, at - start, Kind.NUMBER) : null;
            }
        }

        private RawJson object(int start, int depth, int nesting) {
            at++;
            Members fields = depth > 0 ? new Members() : null;
            skipSpace();
            if (at < text.length && text[at] == '}') {
                at++;
                return container(start, Kind.OBJECT, fields == null ? null : fields.toMap());
            }
            while (true) {
                if (at >= text.length || text[at] != '"') {
                    return null;
                }
                int nameStart = at + 1;
                if (!string()) {
                    return null;
                }
                int nameEnd = at - 1;
                skipSpace();
                if (at >= text.length || text[at] != ':') {
                    return null;
                }
                at++;
                skipSpace();
                RawJson v = value(depth - 1, nesting + 1);
                if (v == null) {
                    return null;
                }
                if (fields != null) {
                    String name = name(nameStart, nameEnd);
                    if (name == null) {
                        return null;
                    }
                    fields.add(name, v);
                }
                skipSpace();
                if (at >= text.length) {
                    return null;
                }
                byte b = text[at++];
                if (b == '}') {
                    return container(start, Kind.OBJECT, fields == null ? null : fields.toMap());
                }
                if (b != ',') {
                    return null;
                }
                skipSpace();
            }
        }

        private RawJson array(int start, int depth, int nesting) {
            at++;
            RawJson[] elements = depth > 0 ? new RawJson[4] : null;
            int n = 0;
            skipSpace();
            if (at < text.length && text[at] == ']') {
                at++;
                return container(start, Kind.ARRAY, depth > 0 ? Collections.emptyList() : null);
            }
            while (true) {
                RawJson v = value(depth - 1, nesting + 1);
                if (v == null) {
                    return null;
                }
                if (elements != null) {
                    if (n == elements.length) {
                        elements = java.util.Arrays.copyOf(elements, n * 2);
                    }
                    elements[n++] = v;
                }
                skipSpace();
                if (at >= text.length) {
                    return null;
                }
                byte b = text[at++];
                if (b == ']') {
                    return container(start, Kind.ARRAY, elements == null ? null : list(elements, n));
                }
                if (b != ',') {
                    return null;
                }
                skipSpace();
            }
        }

        private RawJson container(int start, Kind kind, Object index) {
            return new RawJson(text, start, at - start, kind, index);
        }

        /** Past a string at {@link #at} (its opening quote); false to give up. */
        private boolean string() {
            at++;
            while (at < text.length) {
                byte b = text[at++];
                if (b == '"') {
                    return true;
                }
                if (b < 0) {
                    if (!utf8(b)) {
                        return false;
                    }
                } else if (b < 0x20) { // a control character
                    return false;
                }
                if (b == '\\') {
                    if (at >= text.length) {
                        return false;
                    }
                    byte e = text[at++];
                    if (e == 'u') {
                        if (at + 4 > text.length) {
                            return false;
                        }
                        for (int i = 0; i < 4; i++) {
                            if (Character.digit(text[at++], 16) < 0) {
                                return false;
                            }
                        }
                    } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
                        return false;
                    }
                }
            }
            return false;
        }

        /** Past the rest of a well-formed UTF-8 sequence (RFC 3629) whose first byte {@code lead} was read; false to give up. */
        private boolean utf8(byte lead) {
            int b = lead & 0xFF;
            int more;
            int min = 0x80;
            int max = 0xBF; // the range of the second byte; later ones are 0x80-0xBF
            if (b >= 0xC2 && b <= 0xDF) {
                more = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                more = 2;
                min = b == 0xE0 ? 0xA0 : 0x80; // no overlong forms
                max = b == 0xED ? 0x9F : 0xBF; // no surrogates
            } else if (b >= 0xF0 && b <= 0xF4) {
                more = 3;
                min = b == 0xF0 ? 0x90 : 0x80;
                max = b == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
            } else {
                return false;
            }
            if (at + more > text.length) {
                return false;
            }
            for (int i = 0; i < more; i++) {
                int c = text[at++] & 0xFF;
                if (c < (i == 0 ? min : 0x80) || c > (i == 0 ? max : 0xBF)) {
                    return false;
                }
            }
            return true;
        }

        private boolean literal(String word) {
            int n = word.length();
            if (at + n > text.length) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (text[at + i] != word.charAt(i)) {
                    return false;
                }
            }
            at += n;
            return at == text.length || isDelimiter(text[at]);
        }

        /** Past a number as RFC 8259 writes it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
        private boolean number() {
            int start = at;
            if (text[at] == '-') {
                at++;
            }
            if (at >= text.length) {
                return false;
            }
            if (text[at] == '0') {
                at++;
            } else if (!digits()) {
                return false;
            }
            if (at < text.length && text[at] == '.') {
                at++;
                if (!digits()) {
                    return false;
                }
            }
            if (at < text.length && (text[at] == 'e' || text[at] == 'E')) {
                at++;
                if (at < text.length && (text[at] == '+' || text[at] == '-')) {
                    at++;
                }
                if (!digits()) {
                    return false;
                }
            }
            return at - start <= MAX_NUMBER && (at == text.length || isDelimiter(text[at]));
        }

        private boolean digits() {
            int from = at;
            while (at < text.length && text[at] >= '0' && text[at] <= '9') {
                at++;
            }
            return at > from;
        }

        private static boolean isDelimiter(byte b) {
            return b == ',' || b == ']' || b == '}' || b == ' ' || b == '\n' || b == '\r' || b == '\t';
        }

        /** The member name in {@code text[from, to)}: a plain ASCII string; null (give up) when it has escapes. */
        private String name(int from, int to) {
            int h = 0;
            for (int i = from; i < to; i++) {
                if (text[i] == '\\' || text[i] < 0) {
                    return null;
                }
                h = 31 * h + text[i];
            }
            int slot = h & (NAMES.length - 1);
            String cached = NAMES[slot];
            if (cached != null && cached.length() == to - from) {
                boolean same = true;
                for (int i = 0; i < to - from && same; i++) {
                    same = cached.charAt(i) == text[from + i];
                }
                if (same) {
                    return cached;
                }
            }
            String name = new String(text, from, to - from, StandardCharsets.US_ASCII);
            NAMES[slot] = name; // a race only costs another string: strings are immutable
            return name;
        }

        private static List<RawJson> list(RawJson[] elements, int n) {
            return n == 1 ? Collections.singletonList(elements[0])
                    : Collections.unmodifiableList(java.util.Arrays.asList(n == elements.length ? elements : java.util.Arrays.copyOf(elements, n)));
        }
    }

    /**
     * The members of an object indexed while parsing, in arrival order (a repeated key keeps its
     * first place and its last value, as a {@code LinkedHashMap} would). A frame's objects have a
     * handful of members: one array searched in order costs a fraction of a hash map's nodes.
     */
    private static final class Members extends java.util.AbstractMap<String, RawJson> {
        /** Above this many members, lookups go through a hash map. */
        private static final int SCANNED = 16;
        /** Name, value, name, value, ...: room for five members, as many as the libraries' frames have. */
        private Object[] members = new Object[10];
        private int size;

        void add(String name, RawJson value) {
            for (int i = 0; i < size; i++) {
                if (members[2 * i].equals(name)) {
                    members[2 * i + 1] = value;
                    return;
                }
            }
            if (2 * size == members.length) {
                members = java.util.Arrays.copyOf(members, members.length * 2);
            }
            members[2 * size] = name;
            members[2 * size++ + 1] = value;
        }

        /** This, or an unmodifiable linked hash map when there are too many members to search in order. */
        Map<String, RawJson> toMap() {
            if (size <= SCANNED) {
                return this;
            }
            Map<String, RawJson> map = new LinkedHashMap<>();
            for (int i = 0; i < size; i++) {
                map.put((String) members[2 * i], (RawJson) members[2 * i + 1]);
            }
            return Collections.unmodifiableMap(map);
        }

        @Override
        public RawJson get(Object key) {
            for (int i = 0; i < size; i++) {
                if (members[2 * i].equals(key)) {
                    return (RawJson) members[2 * i + 1];
                }
            }
            return null;
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null; // values are never null
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public java.util.Set<Map.Entry<String, RawJson>> entrySet() {
            return new java.util.AbstractSet<>() {
                @Override
                public java.util.Iterator<Map.Entry<String, RawJson>> iterator() {
                    return new java.util.Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < size;
                        }

                        @Override
                        public Map.Entry<String, RawJson> next() {
                            if (next >= size) {
                                throw new java.util.NoSuchElementException();
                            }
                            int i = next++;
                            return new java.util.AbstractMap.SimpleImmutableEntry<>((String) members[2 * i], (RawJson) members[2 * i + 1]);
                        }
                    };
                }

                @Override
                public int size() {
                    return size;
                }
            };
        }
    }

    /** Encodes a Java string as a JSON string value. */
    public static RawJson ofString(String s) {
        int n = s.length();
        byte[] plain = new byte[n + 2];
        plain[0] = '"';
        plain[n + 1] = '"';
        int i = 0;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
                break;
            }
            plain[i + 1] = (byte) c;
        }
        if (i == n) {
            return new RawJson(plain, 0, n + 2, Kind.STRING); // plain ASCII: the text is the bytes
        }
        JsonWriter w = JsonWriter.toBytes();
        w.value(s);
        return w.toRawJson();
    }

    /** A JSON number. */
    public static RawJson ofNumber(long n) {
        return ofAscii(Long.toString(n), Kind.NUMBER);
    }

    /**
     * Wraps JSON text produced elsewhere (for example by a JSON library), checking it.
     *
     * @throws MalformedJsonException when it is not one valid JSON value
     */
    public static RawJson of(String json) {
        return parse(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Wraps JSON text this process wrote itself ({@link JsonWriter}, or Jackson's
     * {@code writeValueAsBytes}) without reading it again: the caller vouches that it is exactly one
     * valid JSON value with no whitespace around it. The kind is read from its first byte; members
     * and elements are found when first asked for. For text from anywhere else use {@link #parse(byte[])}.
     */
    public static RawJson ofTrusted(byte[] json) {
        return new RawJson(json, 0, json.length, kindAt(json, 0));
    }

    private static Kind kindAt(byte[] text, int at) {
        switch (text[at]) {
            case '{': return Kind.OBJECT;
            case '[': return Kind.ARRAY;
            case '"': return Kind.STRING;
            case 't': return Kind.TRUE;
            case 'f': return Kind.FALSE;
            case 'n': return Kind.NULL;
            default: return Kind.NUMBER;
        }
    }

    /**
     * A streaming parser over this value's text, for decoders that walk a message once. Values found
     * with it become {@code RawJson} slices through {@link #capture(JsonParser)}.
     */
    public JsonParser parser() {
        try {
            return FACTORY.createParser(bytes, offset, length);
        } catch (IOException e) {
            throw new MalformedJsonException(e.getMessage());
        }
    }

    /**
     * The value at the current token of {@code p}, a parser made by this value's {@link #parser()},
     * as a slice of this value's bytes. Consumes the value: after the call the parser is on its last
     * token ({@code END_OBJECT}/{@code END_ARRAY} for containers).
     *
     * @throws MalformedJsonException when the text there is not valid JSON
     */
    public RawJson capture(JsonParser p) {
        try {
            return capture(p, bytes, offset, p.currentToken());
        } catch (IOException e) {
            throw new MalformedJsonException(e.getMessage());
        }
    }

    /**
     * The value a decoder has just walked through with {@code p} (a parser made by {@link #parser()}):
     * from {@code start}, the byte offset of its first token ({@code p.currentTokenLocation()
     * .getByteOffset()} read there), to the parser's current position, just past its last token.
     * Lets a decoder look inside a value and keep it as a slice in the same pass.
     */
    public RawJson walked(JsonParser p, long start) {
        int from = offset + (int) start;
        int to = offset + (int) FrameParser.offset(p);
        return new RawJson(bytes, from, to - from, kindAt(bytes, from));
    }

    /** Like {@link #walked(JsonParser, long)}, for a parser made by {@link #parser(byte[])} over {@code text}. */
    public static RawJson walked(JsonParser p, byte[] text, long start) {
        return new RawJson(text, 0, text.length, Kind.ARRAY).walked(p, start);
    }

    /** A streaming parser over a whole JSON text (a frame's payload); see {@link #capture(JsonParser, byte[])}. */
    public static JsonParser parser(byte[] text) {
        try {
            return FACTORY.createParser(text);
        } catch (IOException e) {
            throw new MalformedJsonException(e.getMessage());
        }
    }

    /** Like {@link #capture(JsonParser)}, for a parser made by {@link #parser(byte[])} over {@code text}. */
    public static RawJson capture(JsonParser p, byte[] text) {
        try {
            return capture(p, text, 0, p.currentToken());
        } catch (IOException e) {
            throw new MalformedJsonException(e.getMessage());
        }
    }

    /**
     * Consumes the value at the current token of {@code p} as {@link #capture(JsonParser, byte[])}
     * does, with the same checks (a string is read to its end), but keeps nothing of it.
     *
     * @throws MalformedJsonException when the text there is not valid JSON
     */
    public static void skip(JsonParser p) {
        try {
            JsonToken token = p.currentToken();
            kindOf(token);
            if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                p.skipChildren();
            } else if (token == JsonToken.VALUE_STRING) {
                p.finishToken();
            }
        } catch (IOException e) {
            throw new MalformedJsonException(e.getMessage());
        }
    }

    /** Reads the value at the parser's current token (already consumed by nextToken). */
    private static RawJson capture(JsonParser p, byte[] text, int base, JsonToken token) throws IOException {
        switch (token) { // a literal's text is the literal: the shared constant serves
            case VALUE_NULL: return NULL;
            case VALUE_TRUE: return TRUE;
            case VALUE_FALSE: return FALSE;
            default: break;
        }
        int start = (int) FrameParser.tokenOffset(p) + base;
        Kind kind = kindOf(token);
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            p.skipChildren();
        } else if (token == JsonToken.VALUE_STRING) {
            p.finishToken(); // makes the parser move its location past the closing quote
        }
        int end = (int) FrameParser.offset(p) + base;
        return new RawJson(text, start, end - start, kind);
    }

    private static Kind kindOf(JsonToken token) {
        switch (token) {
            case START_OBJECT: return Kind.OBJECT;
            case START_ARRAY: return Kind.ARRAY;
            case VALUE_STRING: return Kind.STRING;
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT: return Kind.NUMBER;
            case VALUE_TRUE: return Kind.TRUE;
            case VALUE_FALSE: return Kind.FALSE;
            case VALUE_NULL: return Kind.NULL;
            default: throw new MalformedJsonException("unexpected token " + token);
        }
    }

    public Kind kind() {
        return kind;
    }

    public boolean isObject() {
        return kind == Kind.OBJECT;
    }

    public boolean isArray() {
        return kind == Kind.ARRAY;
    }

    public boolean isString() {
        return kind == Kind.STRING;
    }

    public boolean isNumber() {
        return kind == Kind.NUMBER;
    }

    public boolean isNull() {
        return kind == Kind.NULL;
    }

    /**
     * JavaScript truthiness, which the original uses on many fields: {@code null}, {@code false},
     * {@code 0}, {@code ""} and NaN are false; everything else is true.
     */
    public boolean isTruthy() {
        switch (kind) {
            case NULL:
            case FALSE: return false;
            case STRING: return length > 2;
            case NUMBER: return asDouble() != 0.0;
            default: return true;
        }
    }

    /** The value of a string, or {@code null} when this is not a string. */
    public String asText() {
        if (kind != Kind.STRING) {
            return null;
        }
        if (!hasByte((byte) '\\')) {
            return new String(bytes, offset + 1, length - 2, StandardCharsets.UTF_8); // no escapes: the text is the bytes
        }
        try (JsonParser p = FACTORY.createParser(bytes, offset, length)) {
            p.nextToken();
            return p.getText();
        } catch (IOException e) {
            throw new MalformedJsonException(e.getMessage());
        }
    }

    /** The value of a number as a double (may be infinite), or NaN when this is not a number. */
    public double asDouble() {
        if (kind != Kind.NUMBER) {
            return Double.NaN;
        }
        if (length <= 15) {
            // Plain integers, the common case, without a parser.
            int i = offset;
            boolean negative = bytes[i] == '-';
            if (negative) {
                i++;
            }
            long v = 0;
            int end = offset + length;
            while (i < end && bytes[i] >= '0' && bytes[i] <= '9') {
                v = v * 10 + (bytes[i++] - '0');
            }
            if (i == end) {
                return negative ? -v : v;
            }
        }
        try (JsonParser p = FACTORY.createParser(bytes, offset, length)) {
            p.nextToken();
            return p.getDoubleValue();
        } catch (IOException e) {
            throw new MalformedJsonException(e.getMessage());
        }
    }

    private boolean hasByte(byte b) {
        for (int i = offset, end = offset + length; i < end; i++) {
            if (bytes[i] == b) {
                return true;
            }
        }
        return false;
    }

    /** The members of an object in arrival order (a repeated key keeps its last value), or an empty map. */
    @SuppressWarnings("unchecked")
    public Map<String, RawJson> fields() {
        if (kind != Kind.OBJECT) {
            return Collections.emptyMap();
        }
        if (index != null) {
            return (Map<String, RawJson>) index;
        }
        Map<String, RawJson> fields = new LinkedHashMap<>();
        try (JsonParser p = FACTORY.createParser(bytes, offset, length)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                fields.put(name, capture(p, bytes, offset, p.nextToken()));
            }
        } catch (IOException e) {
            throw new MalformedJsonException(e.getMessage());
        }
        return Collections.unmodifiableMap(fields);
    }

    /** The elements of an array in order, or an empty list when this is not an array. */
    @SuppressWarnings("unchecked")
    public List<RawJson> elements() {
        if (kind != Kind.ARRAY) {
            return Collections.emptyList();
        }
        if (index != null) {
            return (List<RawJson>) index;
        }
        List<RawJson> elements = new ArrayList<>();
        try (JsonParser p = FACTORY.createParser(bytes, offset, length)) {
            p.nextToken();
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
                elements.add(capture(p, bytes, offset, t));
            }
        } catch (IOException e) {
            throw new MalformedJsonException(e.getMessage());
        }
        return Collections.unmodifiableList(elements);
    }

    /** The number of UTF-8 bytes of this value's JSON text. */
    public int byteLength() {
        return length;
    }

    /** Copies this value's JSON text into {@code out}. */
    public void writeTo(io.netty.buffer.ByteBuf out) {
        out.writeBytes(bytes, offset, length);
    }

    /**
     * This value with its own copy of its bytes, so that it no longer keeps the whole text it was
     * a slice of (a frame of up to 20 MiB) alive; this value itself when it already spans its array.
     */
    public RawJson compact() {
        if (offset == 0 && length == bytes.length) {
            return this;
        }
        return new RawJson(toBytes(), 0, length, kind);
    }

    /** This value's JSON text. */
    public byte[] toBytes() {
        byte[] copy = new byte[length];
        System.arraycopy(bytes, offset, copy, 0, length);
        return copy;
    }

    /** This value's JSON text, exactly as received. */
    @Override
    public String toString() {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }

    /** Two values are equal when their JSON texts are byte for byte the same. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RawJson)) {
            return false;
        }
        RawJson other = (RawJson) o;
        return java.util.Arrays.equals(bytes, offset, offset + length, other.bytes, other.offset, other.offset + other.length);
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + bytes[i];
        }
        return h;
    }
}
