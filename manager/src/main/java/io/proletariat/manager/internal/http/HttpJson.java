package io.proletariat.manager.internal.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** The JSON of the HTTP API, written by Jackson from records, maps, lists and plain values. */
final class HttpJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HttpJson() {
    }

    static ByteBuf write(Object document) {
        try {
            return Unpooled.wrappedBuffer(MAPPER.writeValueAsBytes(document));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + document.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** A figure, or null where there is none (NaN): JSON has no NaN. */
    static Double figure(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
