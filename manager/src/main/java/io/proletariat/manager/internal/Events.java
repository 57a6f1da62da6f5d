package io.proletariat.manager.internal;

import io.proletariat.manager.ManagerListener;
import io.proletariat.manager.SystemMessage;
import io.proletariat.manager.WorkInfo;
import io.proletariat.protocol.RawJson;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to {@link ManagerListener}s on one thread of their own, so user code never runs
 * on (or slows) the dispatch core. Costs nothing while no listener is registered.
 */
final class Events {
    private static final Logger log = LoggerFactory.getLogger(Events.class);

    private final List<ManagerListener> listeners = new CopyOnWriteArrayList<>();
    private volatile ExecutorService executor;

    synchronized void add(ManagerListener listener) {
        if (executor == null) {
            executor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "proletariat-manager-events");
                t.setDaemon(true);
                return t;
            });
        }
        listeners.add(listener);
    }

    void remove(ManagerListener listener) {
        listeners.remove(listener);
    }

    boolean active() {
        return !listeners.isEmpty();
    }

    void receive(Work w) {
        if (active()) {
            WorkInfo s = w.snapshot();
            emit(l -> l.receive(s));
        }
    }

    void assign(Work w, String workerId) {
        if (active()) {
            WorkInfo s = w.snapshot();
            emit(l -> l.assign(s, workerId));
        }
    }

    void finish(Work w, RawJson result) {
        if (active()) {
            WorkInfo s = w.snapshot();
            emit(l -> l.finish(s, result));
        }
    }

    void abort(Work w) {
        if (active()) {
            WorkInfo s = w.snapshot();
            emit(l -> l.abort(s));
        }
    }

    void assignTimeout(Work w) {
        if (active()) {
            WorkInfo s = w.snapshot();
            emit(l -> l.assignTimeout(s));
        }
    }

    void giveUp(Work w) {
        if (active()) {
            WorkInfo s = w.snapshot();
            emit(l -> l.giveUp(s));
        }
    }

    void sysmsg(SystemMessage m) {
        if (active()) {
            emit(l -> l.sysmsg(m));
        }
    }

    void cleanup() {
        if (active()) {
            emit(ManagerListener::cleanup);
        }
    }

    private void emit(Consumer<ManagerListener> event) {
        if (executor.isShutdown()) {
            return; // the manager stopped: connections closing after stop() tell no one
        }
        executor.execute(() -> {
            for (ManagerListener l : listeners) {
                try {
                    event.accept(l);
                } catch (RuntimeException e) {
                    log.warn("manager listener {} failed", l, e);
                }
            }
        });
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
