package io.proletariat.manager;

import io.proletariat.protocol.RawJson;

/** What the manager knows of a work: its id, where it came from, and its arguments. */
public interface WorkInfo {
    /** The work id the manager gave it, e.g. {@code W810940R324}. */
    String id();

    /** The connection id of the client that pushed it. */
    String clientId();

    /** The request id the client gave its push ({@code rid} or {@code group}). */
    String requestId();

    /** Its priority, >= 0; higher runs first. */
    int priority();

    /** Its arguments, exactly as the client sent them. */
    RawJson args();
}
