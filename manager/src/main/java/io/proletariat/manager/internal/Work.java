package io.proletariat.manager.internal;

import io.netty.util.concurrent.ScheduledFuture;
import io.proletariat.manager.WorkInfo;
import io.proletariat.protocol.RawJson;

/** One work in the manager. Owned by the core thread; listeners get {@link #snapshot()}s. */
final class Work implements WorkInfo {
    enum State { HELD, QUEUED, ASSIGNED, RUNNING, DONE }

    final String id;
    /** The id as JSON, encoded once for the three frames that carry it. */
    final RawJson idJson;
    final Request request;
    final int index;
    final RawJson args;
    /** The {@code timeout} exactly as the client sent it, forwarded to the worker; null when none. */
    final RawJson runTimeout;
    final long assignTimeoutMs;
    /** The {@code _key} of its args when holding similar works, else null. */
    final String key;

    State state;
    Connection worker;
    Range range;
    ScheduledFuture<?> assignTimer;
    final long pushedNanos = System.nanoTime();
    long queuedNanos;
    long assignedNanos;
    /** Set when the work finishes, until its done frame is written. */
    RawJson result;

    Work(String id, Request request, int index, RawJson args, RawJson runTimeout, long assignTimeoutMs, String key) {
        this.id = id;
        this.idJson = RawJson.ofString(id);
        this.request = request;
        this.index = index;
        this.args = args;
        this.runTimeout = runTimeout;
        this.assignTimeoutMs = assignTimeoutMs;
        this.key = key;
    }

    boolean live() {
        return state != State.DONE;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String clientId() {
        return request.client.id;
    }

    @Override
    public String requestId() {
        return request.key;
    }

    @Override
    public int priority() {
        return request.priority;
    }

    @Override
    public RawJson args() {
        return args;
    }

    WorkInfo snapshot() {
        return new Snapshot(id, clientId(), requestId(), priority(), args);
    }

    private record Snapshot(String id, String clientId, String requestId, int priority, RawJson args) implements WorkInfo {
    }

    @Override
    public String toString() {
        return id + "[" + state + ", p" + request.priority + "]";
    }
}
