package io.proletariat.client;

/**
 * The manager's report that a system message reached all its recipients: how many it was sent to
 * and how many acknowledged it (docs/protocol.md, System messages). Immutable.
 */
public final class SystemMessageReceipt {
    private final String id;
    private final int sentTo;
    private final int receivedBy;

    public SystemMessageReceipt(String id, int sentTo, int receivedBy) {
        this.id = id;
        this.sentTo = sentTo;
        this.receivedBy = receivedBy;
    }

    /** The message id this participant chose ({@code M...}). */
    public String id() {
        return id;
    }

    /** The number of recipients (0 for {@code MANAGER}, an unknown id, or nobody else connected). */
    public int sentTo() {
        return sentTo;
    }

    /** The number of recipients that acknowledged it. */
    public int receivedBy() {
        return receivedBy;
    }

    @Override
    public String toString() {
        return "SystemMessageReceipt{id=" + id + ", sentTo=" + sentTo + ", receivedBy=" + receivedBy + "}";
    }
}
