/**
 * The worker and client libraries. Exports their API packages only: the connection engine in
 * {@code io.proletariat.client.internal} stays inside the module.
 */
module io.proletariat.client {
    requires transitive io.proletariat.protocol;
    requires transitive com.fasterxml.jackson.databind;
    requires io.netty.transport.classes.epoll;
    requires io.netty.handler;
    requires org.slf4j;

    exports io.proletariat.client;
    exports io.proletariat.worker;
}
