package io.proletariat.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.json.JsonReadContext;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import com.fasterxml.jackson.core.sym.ByteQuadsCanonicalizer;
import java.io.IOException;

/**
 * A streaming parser over whole frames that is reused from one frame to the next, for a decoder
 * that reads frame after frame on one thread: exactly {@link RawJson#parser(byte[])}'s parser, but
 * without the dozen objects (parser, its contexts, buffers and symbol table) Jackson builds for every
 * new parser, which were most of what a broker allocated per work.
 *
 * <p>{@link #open} a parser over a frame, walk it, then {@link #close} it (whether or not the walk
 * failed) before opening the next. Frames Jackson would not read as plain UTF-8 without looking at
 * them first (not starting with {@code '{'} and a non-zero byte: a byte order mark, UTF-16 or
 * UTF-32, leading whitespace, a non-object) get a fresh parser, as before, so that every frame is
 * read exactly as {@link RawJson#parser(byte[])} reads it. Not thread-safe: one per thread.
 */
public final class FrameParser {
    /**
     * Member names the reused symbol table may hold before it is dropped for a new one: a fresh
     * parser forgets the names of the frame it read, this one would otherwise keep every name any
     * peer ever sent.
     */
    static final int MAX_SYMBOLS = 1024;
    /** Frames above this size leave buffers grown to their size: the parser is dropped after them. */
    static final int MAX_REUSED_FRAME = 64 * 1024;

    private static final Factory FACTORY = new Factory();

    private Reusable reusable;
    /** The parser handed out by the last {@link #open}, until {@link #close}. */
    private JsonParser open;

    /**
     * A parser at the start of {@code text} (a whole frame's payload), the one {@link
     * RawJson#capture(JsonParser, byte[])} and {@link RawJson#walked(JsonParser, byte[], long)} expect;
     * valid until {@link #close}.
     */
    public JsonParser open(byte[] text) {
        if (open != null) {
            throw new IllegalStateException("the last frame's parser is still open");
        }
        if (text.length < 2 || text[0] != '{' || text[1] == 0) {
            open = RawJson.parser(text);
        } else {
            if (reusable == null) {
                reusable = FACTORY.newParser();
            }
            reusable.reset(text);
            open = reusable;
        }
        return open;
    }

    /** Ends the walk of the frame {@link #open} gave; {@code clean} false when it threw, so nothing of it is reused. */
    public void close(boolean clean) {
        JsonParser p = open;
        open = null;
        if (p == null) {
            return;
        }
        if (p != reusable) {
            try {
                p.close();
            } catch (IOException e) {
                // a parser over a byte array holds nothing to fail on
            }
        } else if (!clean || reusable.symbols() > MAX_SYMBOLS || reusable.inputLength() > MAX_REUSED_FRAME) {
            reusable = null; // a new one next time: the failed walk's state, the grown table or buffers are dropped
        } else {
            reusable.forgetInput();
        }
    }

    /**
     * {@code p.currentTokenLocation().getByteOffset()}: where the current token starts. For this
     * class's parsers it is read without building the {@code JsonLocation}.
     */
    public static long tokenOffset(JsonParser p) {
        return p instanceof Reusable ? ((Reusable) p).tokenOffset() : p.currentTokenLocation().getByteOffset();
    }

    /** {@code p.currentLocation().getByteOffset()}: how far the parser has read; like {@link #tokenOffset}. */
    public static long offset(JsonParser p) {
        return p instanceof Reusable ? ((Reusable) p).offset() : p.currentLocation().getByteOffset();
    }

    /** The factory's parts a parser is built of, which only a subclass can reach. */
    private static final class Factory extends JsonFactory {
        private static final long serialVersionUID = 1L;

        Factory() {
            super(new JsonFactoryBuilder().streamReadConstraints(RawJson.READ_CONSTRAINTS));
        }

        Reusable newParser() {
            IOContext context = _createContext(_createContentReference(null), false);
            return new Reusable(context, _parserFeatures, _byteSymbolCanonicalizer.makeChild(_factoryFeatures));
        }
    }

    /** Jackson's parser over a byte array, with its input swapped for the next frame's. */
    private static final class Reusable extends UTF8StreamJsonParser {
        private static final byte[] NO_INPUT = new byte[0];

        Reusable(IOContext context, int features, ByteQuadsCanonicalizer symbols) {
            super(context, features, null, null, symbols, NO_INPUT, 0, 0, 0, false);
        }

        int symbols() {
            return _symbols.size();
        }

        /** As {@code UTF8StreamJsonParser.currentTokenLocation()} computes its byte offset. */
        long tokenOffset() {
            return _currToken == JsonToken.FIELD_NAME ? _currInputProcessed + _nameStartOffset - 1 : _tokenInputTotal - 1;
        }

        /** As {@code UTF8StreamJsonParser.currentLocation()} computes its byte offset. */
        long offset() {
            return _currInputProcessed + _inputPtr;
        }

        int inputLength() {
            return _inputEnd;
        }

        /** Back to the state of a new parser at the start of {@code text}. */
        void reset(byte[] text) {
            _inputBuffer = text;
            _inputPtr = 0;
            _inputEnd = text.length;
            _currInputProcessed = 0;
            _currInputRow = 1;
            _currInputRowStart = 0;
            _tokenInputTotal = 0;
            _tokenInputRow = 1;
            _tokenInputCol = 0;
            _currToken = null;
            _lastClearedToken = null;
            _nextToken = null;
            _tokenIncomplete = false;
            _tokenCount = 0;
            _nameCopied = false;
            _numTypesValid = NR_UNKNOWN;
            _binaryValue = null;
            _closed = false;
            _textBuffer.resetWithEmpty();
            JsonReadContext root = _parsingContext;
            while (root.getParent() != null) {
                root = root.getParent();
            }
            root.reset(JsonStreamContext.TYPE_ROOT, 1, 0);
            _parsingContext = root;
        }

        /** Lets go of the frame, which the parser must not keep alive. */
        void forgetInput() {
            _inputBuffer = NO_INPUT;
            _inputPtr = 0;
            _inputEnd = 0;
            _textBuffer.resetWithEmpty();
        }
    }
}
