package io.proletariat.client.internal;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread pools owned by a worker or a client. */
public final class IoThreads {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private IoThreads() {
    }

    /** A one-thread Netty event loop group with daemon threads named {@code prefix-io-N}. */
    public static EventLoopGroup newEventLoopGroup(String prefix) {
        return new MultiThreadIoEventLoopGroup(1, daemonThreads(prefix + "-io-" + INSTANCES.incrementAndGet()),
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** The socket channel type matching {@link #newEventLoopGroup}: epoll on Linux, else NIO. */
    public static Class<? extends SocketChannel> socketChannelType() {
        return Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** A fixed pool of daemon threads, created on demand. */
    public static ExecutorService newFixedPool(String name, int threads) {
        return Executors.newFixedThreadPool(threads, daemonThreads(name + "-" + INSTANCES.incrementAndGet()));
    }

    public static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Runs {@code task} on {@code loop} and waits up to 5 s for it, unless called on the loop itself
     * (it then runs after the current task). For shutdowns: failures are logged, never thrown.
     */
    public static void runOnLoopAndWait(EventLoop loop, String what, Runnable task) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    task.run();
                } finally {
                    done.complete(null);
                }
            });
            if (!loop.inEventLoop()) {
                done.get(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(IoThreads.class).debug("{}: {}", what, e.toString());
        }
    }
}
