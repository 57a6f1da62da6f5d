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
 * on (or slows) the dispatch core. An event costs nothing unless a registered listener overrides
 * its method: a daemon that only watches system messages pays nothing per work.
 */
final class Events {
    private static final Logger log = LoggerFactory.getLogger(Events.class);

    private final List<ManagerListener> listeners = new CopyOnWriteArrayList<>();
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
            executor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "proletariat-manager-events");
                t.setDaemon(true);
                return t;
            });
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
            emit(l -> l.receive(s));
        }
    }

    void assign(Work w, String workerId) {
        if (assign) {
            WorkInfo s = w.snapshot();
            emit(l -> l.assign(s, workerId));
        }
    }

    void finish(Work w, RawJson result) {
        if (finish) {
            WorkInfo s = w.snapshot();
            emit(l -> l.finish(s, result));
        }
    }

    void abort(Work w) {
        if (abort) {
            WorkInfo s = w.snapshot();
            emit(l -> l.abort(s));
        }
    }

    void assignTimeout(Work w) {
        if (assignTimeout) {
            WorkInfo s = w.snapshot();
            emit(l -> l.assignTimeout(s));
        }
    }

    void giveUp(Work w) {
        if (giveUp) {
            WorkInfo s = w.snapshot();
            emit(l -> l.giveUp(s));
        }
    }

    void sysmsg(SystemMessage m) {
        if (sysmsg) {
            emit(l -> l.sysmsg(m));
        }
    }

    void cleanup() {
        if (cleanup) {
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
