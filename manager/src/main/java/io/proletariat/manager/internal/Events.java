package io.proletariat.manager.internal;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.proletariat.manager.ManagerListener;
import io.proletariat.manager.WorkInfo;
import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.SystemMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to {@link ManagerListener}s on one thread of their own, so user code never runs
 * on (or slows) the dispatch core. An event costs nothing unless a registered listener overrides
 * its method: a daemon that only watches system messages pays nothing per work.
 *
 * <p>The queue to the listeners' thread is bounded ({@link #MAX_QUEUED} events, {@link #MAX_QUEUED_BYTES}
 * of payload): a listener that falls behind (a stdout pipe nobody reads) once held 734 MB of
 * system messages. Beyond the bound events are dropped, counted, and logged at WARN at most once per
 * {@value #WARN_INTERVAL_SECONDS} s. Each check is O(1).
 */
final class Events {
    private static final Logger log = LoggerFactory.getLogger(Events.class);

    static final int MAX_QUEUED = 100_000;
    static final long MAX_QUEUED_BYTES = 64L * 1024 * 1024;
    static final long WARN_INTERVAL_SECONDS = 10;
    /** What an event costs besides its payload, for the byte bound. */
    private static final long EVENT_OVERHEAD = 128;

    private final List<ManagerListener> listeners = new CopyOnWriteArrayList<>();
    /** Events handed to the executor and not yet delivered, and their payload bytes (the events thread decrements). */
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    // Core thread only: the rate limit of the drop warning.
    private long lastWarnNanos;
    private long droppedSinceWarn;
    private boolean warned;
    private volatile ExecutorService executor;
    /** Per event, whether some listener overrides its method (read on the core thread). */
    private volatile boolean receive;
    private volatile boolean assign;
    private volatile boolean finish;
    private volatile boolean abort;
    private volatile boolean assignTimeout;
    private volatile boolean giveUp;
    private volatile boolean sysmsg;
    private volatile boolean cleanup;

    synchronized void add(ManagerListener listener) {
        if (executor == null) {
            executor = Executors.newSingleThreadExecutor(new DefaultThreadFactory("proletariat-manager-events", true));
        }
        listeners.add(listener);
        refreshInterest();
    }

    synchronized void remove(ManagerListener listener) {
        listeners.remove(listener);
        refreshInterest();
    }

    private void refreshInterest() {
        receive = anyOverrides("receive", WorkInfo.class);
        assign = anyOverrides("assign", WorkInfo.class, String.class);
        finish = anyOverrides("finish", WorkInfo.class, RawJson.class);
        abort = anyOverrides("abort", WorkInfo.class);
        assignTimeout = anyOverrides("assignTimeout", WorkInfo.class);
        giveUp = anyOverrides("giveUp", WorkInfo.class);
        sysmsg = anyOverrides("sysmsg", SystemMessage.class);
        cleanup = anyOverrides("cleanup");
    }

    private boolean anyOverrides(String method, Class<?>... parameters) {
        for (ManagerListener l : listeners) {
            try {
                if (l.getClass().getMethod(method, parameters).getDeclaringClass() != ManagerListener.class) {
                    return true;
                }
            } catch (NoSuchMethodException e) {
                return true; // cannot tell: deliver
            }
        }
        return false;
    }

    void receive(Work w) {
        if (receive) {
            WorkInfo s = w.snapshot();
            emit(l -> l.receive(s), w.args.byteLength());
        }
    }

    void assign(Work w, String workerId) {
        if (assign) {
            WorkInfo s = w.snapshot();
            emit(l -> l.assign(s, workerId), w.args.byteLength());
        }
    }

    void finish(Work w, RawJson result) {
        if (finish) {
            WorkInfo s = w.snapshot();
            emit(l -> l.finish(s, result), w.args.byteLength() + (result == null ? 0 : result.byteLength()));
        }
    }

    void abort(Work w) {
        if (abort) {
            WorkInfo s = w.snapshot();
            emit(l -> l.abort(s), w.args.byteLength());
        }
    }

    void assignTimeout(Work w) {
        if (assignTimeout) {
            WorkInfo s = w.snapshot();
            emit(l -> l.assignTimeout(s), w.args.byteLength());
        }
    }

    void giveUp(Work w) {
        if (giveUp) {
            WorkInfo s = w.snapshot();
            emit(l -> l.giveUp(s), w.args.byteLength());
        }
    }

    void sysmsg(SystemMessage m) {
        if (sysmsg) {
            emit(l -> l.sysmsg(m), m.content().byteLength());
        }
    }

    void cleanup() {
        if (cleanup) {
            emit(ManagerListener::cleanup, 0);
        }
    }

    /** Listener events dropped because the queue was full. */
    long dropped() {
        return dropped.get();
    }

    private void emit(Consumer<ManagerListener> event, long payloadBytes) {
        if (executor.isShutdown()) {
            return; // the manager stopped: connections closing after stop() tell no one
        }
        long size = EVENT_OVERHEAD + payloadBytes;
        long bytes = queuedBytes.get();
        // One event always fits an empty queue, however large, so a big message reaches an idle listener.
        if (queued.get() >= MAX_QUEUED || bytes > 0 && bytes + size > MAX_QUEUED_BYTES) {
            drop();
            return;
        }
        queued.incrementAndGet();
        queuedBytes.addAndGet(size);
        executor.execute(() -> {
            try {
                for (ManagerListener l : listeners) {
                    try {
                        event.accept(l);
                    } catch (RuntimeException e) {
                        log.warn("manager listener {} failed", l, e);
                    }
                }
            } finally {
                queued.decrementAndGet();
                queuedBytes.addAndGet(-size);
            }
        });
    }

    private void drop() {
        dropped.incrementAndGet();
        droppedSinceWarn++;
        long now = System.nanoTime();
        if (!warned || now - lastWarnNanos >= TimeUnit.SECONDS.toNanos(WARN_INTERVAL_SECONDS)) {
            warned = true;
            lastWarnNanos = now;
            log.warn("manager listeners are behind ({} events, {} bytes queued): dropped {} events since the last warning",
                    queued.get(), queuedBytes.get(), droppedSinceWarn);
            droppedSinceWarn = 0;
        }
    }

    void shutdown() {
        ExecutorService e = executor;
        if (e != null) {
            e.shutdown();
            try {
                e.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
