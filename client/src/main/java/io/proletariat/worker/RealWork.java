package io.proletariat.worker;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proletariat.client.internal.Json;
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

/** A work held by a worker: the {@link Work} its handler sees, plus the worker's bookkeeping. */
final class RealWork implements Work {
    private static final Logger log = LoggerFactory.getLogger(RealWork.class);

    private final String id;
    private final RawJson args;
    private final Long runTimeout;
    private final ObjectMapper mapper;
    private final Executor listenerExecutor;
    private final List<Runnable> abortListeners = new ArrayList<>(); // guarded by this
    private volatile boolean cancelled;
    final AtomicBoolean completed = new AtomicBoolean();

    // Owned by the worker's event loop.
    /** The result was queued, or the work was cancelled: nothing more goes to the manager for it. */
    boolean finished;
    /** The handler's call has returned (or it never ran). */
    boolean handlerReturned;
    /** A result given while the handler still runs: sent when it returns, when the slot is free again. */
    io.proletariat.protocol.RawJson heldResult;
    ScheduledFuture<?> timeoutTimer;
    Future<?> task;

    RealWork(String id, RawJson args, Long runTimeout, ObjectMapper mapper, Executor listenerExecutor) {
        this.id = id;
        this.args = args;
        this.runTimeout = runTimeout;
        this.mapper = mapper;
        this.listenerExecutor = listenerExecutor;
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
        return runTimeout == null ? OptionalLong.empty() : OptionalLong.of(runTimeout);
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
        return "Work{id=" + id + ", args=" + args + (runTimeout == null ? "" : ", runTimeout=" + runTimeout) + "}";
    }
}
