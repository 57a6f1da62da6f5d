package io.proletariat.protocol;

import io.netty.handler.codec.DecoderException;

/** A frame header announced more bytes than the receiver accepts; the connection cannot recover. */
public final class FrameTooLargeException extends DecoderException {
    private final long declaredLength;

    public FrameTooLargeException(long declaredLength, int maxFrameLength) {
        super("frame of " + declaredLength + " bytes exceeds the limit of " + maxFrameLength + " bytes");
        this.declaredLength = declaredLength;
    }

    /** The length the header announced (0 to 2^32-1). */
    public long declaredLength() {
        return declaredLength;
    }
}
