package io.proletariat.client.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proletariat.protocol.JsonWriter;
import io.proletariat.protocol.ProletariatException;
import io.proletariat.protocol.RawJson;
import java.io.IOException;

/** Converts user objects to and from wire JSON with the user's Jackson {@link ObjectMapper}. Stateless; any thread. */
public final class Json {
    /**
     * The mapper used when the options name none, reading with the protocol's limits (strings as
     * long as a frame allows, see {@link RawJson#READ_CONSTRAINTS}). Thread-safe once configured.
     */
    public static final ObjectMapper DEFAULT_MAPPER = new ObjectMapper(RawJson.newJsonFactory());

    private Json() {
    }

    /**
     * A user value as JSON: a {@link RawJson} is taken as is, {@code null} is JSON null, anything
     * else goes through Jackson, once: its bytes are wrapped, not read again (what Jackson wrote is
     * valid JSON).
     *
     * @throws IllegalArgumentException when Jackson cannot serialise it
     */
    public static RawJson toJson(ObjectMapper mapper, Object value) {
        if (value == null) {
            return RawJson.NULL;
        }
        if (value instanceof RawJson) {
            return (RawJson) value;
        }
        try {
            return RawJson.ofTrusted(mapper.writeValueAsBytes(value));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("cannot serialise a " + value.getClass().getName() + " to JSON: " + e.getMessage(), e);
        }
    }

    /** Reads JSON into a Java type; JSON null gives {@code null}. */
    public static <T> T fromJson(ObjectMapper mapper, RawJson json, Class<T> type) {
        if (json == null) {
            return null;
        }
        if (type == RawJson.class) {
            return type.cast(json);
        }
        try {
            return mapper.readValue(json.toBytes(), type);
        } catch (IOException e) {
            throw new ProletariatException("EJSON", "cannot read " + Connection.abbreviate(json) + " as a " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    /** Reads JSON into a generic Java type; JSON null gives {@code null}. */
    public static <T> T fromJson(ObjectMapper mapper, RawJson json, TypeReference<T> type) {
        if (json == null) {
            return null;
        }
        try {
            return mapper.readValue(json.toBytes(), type);
        } catch (IOException e) {
            throw new ProletariatException("EJSON", "cannot read " + Connection.abbreviate(json) + " as a " + type.getType() + ": " + e.getMessage(), e);
        }
    }

    /** {@code {"code":code,"message":message}} (the code is left out when null). */
    public static RawJson error(String code, String message) {
        JsonWriter w = JsonWriter.toBytes().beginObject();
        if (code != null) {
            w.name("code").value(code);
        }
        w.name("message").value(message);
        return w.endObject().toRawJson();
    }

    /** The text of a string member of an object, or {@code null}. */
    public static String text(RawJson object, String name) {
        if (object == null || !object.isObject()) {
            return null;
        }
        RawJson v = object.fields().get(name);
        return v != null && v.isString() ? v.asText() : null;
    }
}
