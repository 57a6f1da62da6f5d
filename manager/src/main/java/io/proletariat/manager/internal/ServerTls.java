package io.proletariat.manager.internal;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.protocol.Tls;

/**
 * The manager's TLS context, made from {@link ManagerOptions#tlsCert()}, {@link ManagerOptions#tlsKey()}
 * and {@link ManagerOptions#tlsClientCa()}, shared by the protocol port and the HTTP listener.
 * {@link #reload()} reads the files again: new connections get the new certificate, open ones keep
 * theirs. The context is swapped whole (volatile), so I/O threads need no lock.
 */
public final class ServerTls {
    private final ManagerOptions options;
    private volatile SslContext context;

    /** Reads the files; a bad one is an {@link IllegalArgumentException} naming it. */
    public ServerTls(ManagerOptions options) {
        this.options = options;
        this.context = make();
    }

    /** A handler for one new connection, first in its pipeline. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        return context.newHandler(alloc);
    }

    /**
     * Reads the certificate, key and client CA files again. On a bad file the old context stays and
     * the {@link IllegalArgumentException} tells why.
     */
    public void reload() {
        context = make();
    }

    private SslContext make() {
        return Tls.serverContext(options.tlsCert(), options.tlsKey(), options.tlsClientCa());
    }
}
