/** The proletariat wire protocol: framing, raw JSON, typed messages, the exception root. */
module io.proletariat.protocol {
    requires transitive com.fasterxml.jackson.core;
    requires transitive io.netty.buffer;
    requires transitive io.netty.codec;
    requires transitive io.netty.common;
    requires transitive io.netty.transport;
    requires transitive io.netty.handler;

    exports io.proletariat.protocol;
}
