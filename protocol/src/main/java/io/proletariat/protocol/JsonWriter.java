package io.proletariat.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * Writes compact JSON, and whole frames, straight into a Netty buffer.
 *
 * <p>Commas are placed automatically; {@link #raw(RawJson)} copies a received value verbatim, which
 * is how work arguments and results travel through the manager without being parsed. Strings are
 * escaped as {@code JSON.stringify} does: non-ASCII characters stay raw UTF-8.
 *
 * <pre>{@code
 * JsonWriter w = JsonWriter.to(buf);
 * w.beginFrame().beginObject().name("command").value("ping").endObject().endFrame();
 * }</pre>
 *
 * Not thread-safe; one writer per thread or per buffer.
 */
public final class JsonWriter {
    private static final int MAX_DEPTH = 64;
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private ByteBuf out;
    private int frameStart = -1;
    private int depth;
    private final boolean[] hasMembers = new boolean[MAX_DEPTH];
    private boolean afterName;

    private JsonWriter(ByteBuf out) {
        this.out = out;
    }

    /** A writer appending to {@code out}. */
    public static JsonWriter to(ByteBuf out) {
        return new JsonWriter(out);
    }

    /** A writer into a growing heap buffer, for building small values. */
    public static JsonWriter toBytes() {
        return new JsonWriter(Unpooled.buffer(64));
    }

    /** Points this writer at another buffer, resetting its state; lets hot paths reuse one writer. */
    public JsonWriter reset(ByteBuf newOut) {
        this.out = newOut;
        this.frameStart = -1;
        this.depth = 0;
        this.afterName = false;
        return this;
    }

    public ByteBuf buffer() {
        return out;
    }

    /** Reserves the 4-byte length prefix of a frame. */
    public JsonWriter beginFrame() {
        frameStart = out.writerIndex();
        out.writeInt(0);
        return this;
    }

    /** Fills in the length prefix reserved by {@link #beginFrame()}. */
    public JsonWriter endFrame() {
        if (frameStart < 0 || depth != 0) {
            throw new IllegalStateException("endFrame without a complete value in a frame");
        }
        out.setInt(frameStart, out.writerIndex() - frameStart - 4);
        frameStart = -1;
        return this;
    }

    public JsonWriter beginObject() {
        beforeValue();
        out.writeByte('{');
        push();
        return this;
    }

    public JsonWriter endObject() {
        pop();
        out.writeByte('}');
        return this;
    }

    public JsonWriter beginArray() {
        beforeValue();
        out.writeByte('[');
        push();
        return this;
    }

    public JsonWriter endArray() {
        pop();
        out.writeByte(']');
        return this;
    }

    /** Writes a member name; the next call writes its value. */
    public JsonWriter name(String name) {
        if (depth > 0 && hasMembers[depth - 1]) {
            out.writeByte(',');
        }
        if (depth > 0) {
            hasMembers[depth - 1] = true;
        }
        writeString(name);
        out.writeByte(':');
        afterName = true;
        return this;
    }

    /** A string value, or {@code null}. */
    public JsonWriter value(String s) {
        if (s == null) {
            return nullValue();
        }
        beforeValue();
        writeString(s);
        return this;
    }

    /** A string value made of {@code prefix} and then the decimal digits of {@code suffix}, without building that string. */
    public JsonWriter value(String prefix, long suffix) {
        beforeValue();
        writeString(prefix);
        out.writerIndex(out.writerIndex() - 1); // the closing quote comes after the digits
        out.writeCharSequence(Long.toString(suffix), java.nio.charset.StandardCharsets.US_ASCII);
        out.writeByte('"');
        return this;
    }

    public JsonWriter value(long n) {
        beforeValue();
        out.writeCharSequence(Long.toString(n), java.nio.charset.StandardCharsets.US_ASCII);
        return this;
    }

    /** A number; integral values are written without a fraction, as JavaScript does. */
    public JsonWriter value(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return value((long) d);
        }
        beforeValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            out.writeCharSequence("null", java.nio.charset.StandardCharsets.US_ASCII);
        } else {
            out.writeCharSequence(Double.toString(d), java.nio.charset.StandardCharsets.US_ASCII);
        }
        return this;
    }

    public JsonWriter value(boolean b) {
        beforeValue();
        out.writeCharSequence(b ? "true" : "false", java.nio.charset.StandardCharsets.US_ASCII);
        return this;
    }

    public JsonWriter nullValue() {
        beforeValue();
        out.writeCharSequence("null", java.nio.charset.StandardCharsets.US_ASCII);
        return this;
    }

    /** Copies a received JSON value verbatim; {@code null} writes the literal null. */
    public JsonWriter raw(RawJson value) {
        if (value == null) {
            return nullValue();
        }
        beforeValue();
        value.writeTo(out);
        return this;
    }

    /** The JSON written so far, as a value (for {@link #toBytes()} writers). */
    public RawJson toRawJson() {
        return RawJson.ofTrusted(ByteBufUtil.getBytes(out)); // what this writer wrote is valid JSON
    }

    private void beforeValue() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (depth > 0) {
            if (hasMembers[depth - 1]) {
                out.writeByte(',');
            }
            hasMembers[depth - 1] = true;
        }
    }

    private void push() {
        if (depth == MAX_DEPTH) {
            throw new IllegalStateException("JSON nested deeper than " + MAX_DEPTH);
        }
        hasMembers[depth++] = false;
    }

    private void pop() {
        if (depth == 0) {
            throw new IllegalStateException("nothing to close");
        }
        depth--;
    }

    private void writeString(String s) {
        out.writeByte('"');
        int n = s.length();
        if (plainAscii(s, n)) {
            // Ids, names and codes: copied as they are.
            ByteBufUtil.writeAscii(out, s);
            out.writeByte('"');
            return;
        }
        int plainFrom = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            if (i > plainFrom) {
                ByteBufUtil.writeUtf8(out, s, plainFrom, i);
            }
            writeEscape(c);
            plainFrom = i + 1;
        }
        if (plainFrom < n) {
            ByteBufUtil.writeUtf8(out, s, plainFrom, n);
        }
        out.writeByte('"');
    }

    /** No character needs escaping or more than one byte. */
    private static boolean plainAscii(String s, int n) {
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private void writeEscape(char c) {
        out.writeByte('\\');
        switch (c) {
            case '"': out.writeByte('"'); return;
            case '\\': out.writeByte('\\'); return;
            case '\n': out.writeByte('n'); return;
            case '\r': out.writeByte('r'); return;
            case '\t': out.writeByte('t'); return;
            case '\b': out.writeByte('b'); return;
            case '\f': out.writeByte('f'); return;
            default:
                out.writeByte('u').writeByte('0').writeByte('0');
                out.writeByte(HEX[c >> 4]).writeByte(HEX[c & 0xF]);
        }
    }
}
