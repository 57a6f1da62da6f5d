package io.proletariat.manager.internal;

/** One client push: its works and how many still await an answer. Core thread only. */
final class Request {
    final Connection client;
    /** The request id as text; requests are keyed by it within their connection. */
    final String key;
    final int priority;
    final Work[] works;
    int open;
    /** Its client asked for its works' progress ({@code "progress":true} on the push; {@link ProgressRelay}). */
    boolean progress;
    /**
     * {@code session/requestId/}: with a work's index, its identity across managers
     * ({@link Work#uid()}); null for a push without a session (the original clients).
     */
    final String uidPrefix;
    /** The works' type (our extension); null for untyped works, as every work of the original. */
    WorkType type;

    Request(Connection client, String key, int priority, int size, String session) {
        this.client = client;
        this.key = key;
        this.priority = priority;
        this.works = new Work[size];
        this.open = size;
        this.uidPrefix = session == null ? null : session + "/" + key + "/";
    }
}
