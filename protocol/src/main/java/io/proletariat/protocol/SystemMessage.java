package io.proletariat.protocol;

import java.util.Objects;

/**
 * A system message relayed by the manager (docs/protocol.md, System messages), as a worker, a
 * client or the manager's own {@code sysmsg} event receives it.
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

    /** Reads JSON into a Java type: a participant's Jackson mapper. */
    @FunctionalInterface
    public interface ContentReader {
        /** {@code json} read as a {@code type}; {@code null} for JSON null. */
        Object read(RawJson json, Class<?> type);
    }

    private final String id;
    private final String from;
    private final RawJson content;
    private final ContentReader reader;

    /**
     * A message whose content {@link #content(Class)} reads with {@code reader}.
     *
     * @param content the content exactly as sent; {@code null} means JSON null
     */
    public SystemMessage(String id, String from, RawJson content, ContentReader reader) {
        this.id = id;
        this.from = from;
        this.content = content == null ? RawJson.NULL : content;
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    /**
     * The message's id: the sender's own ({@code M...}) at the manager, the relayed
     * {@code <sender connection id>/<sender's message id>} at a worker or client.
     */
    public String id() {
        return id;
    }

    /** The sender's connection id, or {@code null} when the manager did not say. */
    public String from() {
        return from;
    }

    /** The content as JSON, exactly as sent ({@link RawJson#NULL} when absent). */
    public RawJson content() {
        return content;
    }

    /**
     * The content read into a Java type with the receiving participant's object mapper (the
     * manager's listeners: a plain Jackson {@code ObjectMapper}).
     *
     * @throws ProletariatException with code {@code EJSON} when the content does not fit the type
     */
    @SuppressWarnings("unchecked")
    public <T> T content(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return (T) reader.read(content, type);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SystemMessage m && Objects.equals(id, m.id) && Objects.equals(from, m.from) && content.equals(m.content);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, from, content);
    }

    @Override
    public String toString() {
        return "SystemMessage{id=" + id + ", from=" + from + ", content=" + content + "}";
    }
}
