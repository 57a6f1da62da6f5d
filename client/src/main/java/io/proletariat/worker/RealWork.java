package io.proletariat.worker;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proletariat.client.internal.Json;
import io.proletariat.protocol.JsNumbers;
import io.proletariat.protocol.RawJson;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A work held by a worker: the {@link Work} its handler sees, plus the worker's bookkeeping, whose
 * heart is one {@link Phase} that moves only as {@link Phase#allows} says.
 */
final class RealWork implements Work {
    private static final Logger log = LoggerFactory.getLogger(RealWork.class);

    /**
     * Where a work stands on the worker's event loop. Two things decide it: whether its outcome
     * (a result, or a cancellation) is settled, and whether its handler has returned. Its slot is
     * free only when both are: {@link #FINISHED}.
     */
    enum Phase {
        /** Accepted; its handler runs (or waits for a thread). No outcome yet. */
        RUNNING,
        /** Its handler returned without an outcome (an asynchronous handler): waits for done() or a cancellation. */
        RETURNED,
        /** A result was given while its handler still runs: sent once it returns and the slot really is free. */
        HELD,
        /** Cancelled (run timeout, abort, lost connection, stop) while its handler still runs: nothing more is sent. */
        CANCELLED,
        /** Outcome settled and handler returned: the slot is free. */
        FINISHED;

        /** The table of moves: whether a work may go from here to {@code to}. */
        boolean allows(Phase to) {
            switch (this) {
                case RUNNING: return to == RETURNED || to == HELD || to == CANCELLED;
                case RETURNED: return to == FINISHED;
                case HELD: return to == FINISHED || to == CANCELLED;
                case CANCELLED: return to == FINISHED;
                default: return false;
            }
        }

        /** No outcome is settled yet: a result or a cancellation may still come. */
        boolean open() {
            return this == RUNNING || this == RETURNED;
        }
    }

    private final String id;
    private final RawJson args;
    private final long runTimeout;
    private final ObjectMapper mapper;
    private final Executor listenerExecutor;
    private final List<Runnable> abortListeners = new ArrayList<>(); // guarded by this
    private volatile boolean cancelled;
    /** The latest progress not yet sent, or null (latest wins; any thread sets it, the event loop takes it). */
    final java.util.concurrent.atomic.AtomicReference<RawJson> pendingProgress = new java.util.concurrent.atomic.AtomicReference<>();
    /** Sends this work's {@link #pendingProgress} from the event loop; set by the worker at dispatch. */
    java.util.function.Consumer<RealWork> progressSender = w -> { };
    /** The completion handle counts once: its first call wins (any thread). */
    final AtomicBoolean completed = new AtomicBoolean();

    // Owned by the worker's event loop.
    private Phase phase = Phase.RUNNING;
    /** The result given while {@link Phase#HELD}. */
    Worker.Answer heldResult;
    /** Its identity across managers, or null; set when dispatched. */
    String uid;
    /** Its manager was lost while it ran: its result goes to the next manager as a resumed result, not a done. */
    boolean orphan;
    ScheduledFuture<?> timeoutTimer;
    Future<?> task;
    /** Sent ahead, beyond the slots (prefetch): it waited in the local queue; {@link #priority} orders that queue. */
    boolean prefetched;
    long priority;

    /** @param runTimeout the run timeout in ms, or {@link JsNumbers#NAN} for none */
    RealWork(String id, RawJson args, long runTimeout, ObjectMapper mapper, Executor listenerExecutor) {
        this.id = id;
        this.args = args;
        this.runTimeout = runTimeout;
        this.mapper = mapper;
        this.listenerExecutor = listenerExecutor;
    }

    Phase phase() {
        return phase;
    }

    /**
     * Moves to {@code to} (event loop only).
     *
     * @throws IllegalStateException for a move the table does not allow: a bookkeeping bug
     */
    void moveTo(Phase to) {
        if (!phase.allows(to)) {
            throw new IllegalStateException("work " + id + ": no move from " + phase + " to " + to);
        }
        phase = to;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public RawJson args() {
        return args;
    }

    @Override
    public <T> T args(Class<T> type) {
        return Json.fromJson(mapper, args, type);
    }

    @Override
    public <T> T args(TypeReference<T> type) {
        return Json.fromJson(mapper, args, type);
    }

    @Override
    public OptionalLong runTimeoutMillis() {
        return runTimeout == JsNumbers.NAN ? OptionalLong.empty() : OptionalLong.of(runTimeout);
    }

    @Override
    public void progress(Object value) {
        RawJson json = value instanceof String text ? RawJson.ofString(text) : Json.toJson(mapper, value);
        if (json.byteLength() > MAX_PROGRESS_BYTES) {
            throw new IllegalArgumentException("progress of work " + id + " takes " + json.byteLength() + " bytes of JSON, more than "
                    + MAX_PROGRESS_BYTES);
        }
        if (cancelled || completed.get()) {
            return;
        }
        if (pendingProgress.getAndSet(json) == null) {
            progressSender.accept(this); // else a send is already on its way, and takes this latest value
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void onAbort(Runnable listener) {
        synchronized (this) {
            if (!cancelled) {
                abortListeners.add(listener);
                return;
            }
        }
        runListener(listener);
    }

    /** Marks the work cancelled, interrupts a running handler and runs the abort listeners on the executor. */
    void cancel() {
        List<Runnable> listeners;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            listeners = new ArrayList<>(abortListeners);
            abortListeners.clear();
        }
        if (task != null) {
            task.cancel(true);
        }
        for (Runnable l : listeners) {
            try {
                listenerExecutor.execute(() -> runListener(l));
            } catch (RuntimeException e) {
                log.warn("cannot run the abort listener of work {}", id, e);
            }
        }
    }

    private void runListener(Runnable l) {
        try {
            l.run();
        } catch (RuntimeException e) {
            log.warn("abort listener of work {} failed", id, e);
        }
    }

    @Override
    public String toString() {
        return "Work{id=" + id + ", args=" + args + (runTimeout == JsNumbers.NAN ? "" : ", runTimeout=" + runTimeout) + "}";
    }
}
