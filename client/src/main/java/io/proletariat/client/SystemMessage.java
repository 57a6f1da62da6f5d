package io.proletariat.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.proletariat.client.internal.Json;
import io.proletariat.protocol.RawJson;

/**
 * A system message received from another participant, relayed by the manager (docs/protocol.md, System messages).
 *
 * <pre>{@code
 * client.onSystemMessage(msg -> System.out.println("System message from " + msg.from() + ": " + msg.content()));
 * }</pre>
 *
 * Immutable.
 */
public final class SystemMessage {
    /** The {@code to} address of the manager alone: {@code systemMessage(content, SystemMessage.MANAGER)}. */
    public static final String MANAGER = "MANAGER";

    private final String id;
    private final String from;
    private final RawJson content;
    private final ObjectMapper mapper;

    public SystemMessage(String id, String from, RawJson content, ObjectMapper mapper) {
        this.id = id;
        this.from = from;
        this.content = content == null ? RawJson.NULL : content;
        this.mapper = mapper;
    }

    /** The relayed id: {@code <sender connection id>/<sender's message id>}. */
    public String id() {
        return id;
    }

    /** The sender's connection id, or {@code null} when the manager did not say. */
    public String from() {
        return from;
    }

    /** The message content as JSON. */
    public RawJson content() {
        return content;
    }

    /** The content read into a Java type with the participant's object mapper. */
    public <T> T content(Class<T> type) {
        return Json.fromJson(mapper, content, type);
    }

    @Override
    public String toString() {
        return "SystemMessage{id=" + id + ", from=" + from + ", content=" + content + "}";
    }
}
