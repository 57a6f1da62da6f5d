package io.proletariat.manager.internal.http;

import io.netty.util.concurrent.Future;
import io.proletariat.manager.ManagerStats;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** Asks the dispatch core for a snapshot without blocking the asking thread. Thread-safe. */
final class StatusSource {
    private final Supplier<Future<ManagerStats>> stats;
    final HttpServer.ManagerInfo info;

    StatusSource(Supplier<Future<ManagerStats>> stats, HttpServer.ManagerInfo info) {
        this.stats = stats;
        this.info = info;
    }

    /** A snapshot; the future completes on the core thread, so continue with an {@code *Async} stage. */
    CompletableFuture<ManagerStats> snapshot() {
        CompletableFuture<ManagerStats> result = new CompletableFuture<>();
        try {
            Future<ManagerStats> future = stats.get();
            future.addListener(f -> {
                if (future.isSuccess()) {
                    result.complete(future.getNow());
                } else {
                    result.completeExceptionally(future.cause());
                }
            });
        } catch (RuntimeException e) {
            // The core loop refuses tasks while the manager stops.
            result.completeExceptionally(e);
        }
        return result;
    }
}
