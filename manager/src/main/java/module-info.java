/**
 * The manager. Exports its API package only: the dispatch core, the Netty handlers and the HTTP
 * listener in {@code io.proletariat.manager.internal} stay inside the module.
 */
module io.proletariat.manager {
    requires transitive io.proletariat.protocol;
    requires transitive HdrHistogram;
    requires io.netty.codec.http;
    requires io.netty.handler;
    requires io.netty.transport.classes.epoll;
    requires com.fasterxml.jackson.databind;
    requires io.prometheus.metrics.core;
    requires io.prometheus.metrics.model;
    requires io.prometheus.writer.text;
    requires io.prometheus.metrics.instrumentation.jvm;
    requires jdk.management;
    requires org.slf4j;

    exports io.proletariat.manager;
    // Jackson writes the HTTP API's documents from the records there.
    opens io.proletariat.manager.internal to com.fasterxml.jackson.databind;
    opens io.proletariat.manager.internal.http to com.fasterxml.jackson.databind;
}
