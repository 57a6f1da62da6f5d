/**
 * The manager's HTTP listener (docs/dashboard.md): {@code /api/status}, {@code /api/history},
 * {@code /metrics} and the dashboard's static files. Nothing here is public API.
 *
 * <p>Threads: the listener runs on its own event loop, {@code proletariat-http}. It never touches the
 * dispatch core's state: it asks the core for a {@link io.proletariat.manager.ManagerStats} snapshot
 * ({@code StatusSource}), which the core copies on its own thread, and formats that on the HTTP loop
 * ({@code StatusJson}, {@code PrometheusMetrics}, both written by libraries: Jackson and the Prometheus
 * client). {@code History} keeps its five minutes of points on one event loop and publishes only its
 * newest point to other threads.
 */
package io.proletariat.manager.internal.http;
