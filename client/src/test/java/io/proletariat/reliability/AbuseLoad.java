package io.proletariat.reliability;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Hostile peers, each pattern bounded in count: system messages reusing one id and never
 * acknowledged, tiny works in large frames, frames announced and never finished, connections
 * opened and reset in a loop, a peer asking for status and never reading, frames that are not
 * JSON. {@link AbuseSoakTest} runs one round beside a checked load; {@link #main} runs rounds for a
 * while against a manager started apart, to measure a healthy load's latency under attack
 * (docs/reliability.md).
 */
final class AbuseLoad implements AutoCloseable {
    private final int port;
    private final List<RawClient> open = new ArrayList<>();

    AbuseLoad(int port) {
        this.port = port;
    }

    /**
     * {@code java ... AbuseLoad PORT SECONDS [PATTERN]}: rounds of every pattern, or of the one
     * named (1 to 6, in the order of {@link #round()}), until the time is up.
     */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
        int only = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        int rounds = 0;
        while (System.nanoTime() < until) {
            try (AbuseLoad load = new AbuseLoad(port)) {
                if (only == 0) {
                    load.round();
                } else {
                    load.patterns().get(only - 1).run();
                }
            }
            rounds++;
        }
        System.out.println("abuse load: " + rounds + " rounds of " + (only == 0 ? "6 patterns" : "pattern " + only));
    }

    private List<Runnable> patterns() {
        return List.of(
                () -> quietly(() -> sysmsgsReusingOneId(20_000)),
                () -> quietly(() -> tinyWorksInLargeFrames(20, 1 << 20)),
                () -> quietly(() -> framesNeverFinished(4, 8 << 20)),
                () -> quietly(() -> connectionsResetInALoop(300)),
                () -> quietly(() -> statusRequestsNeverRead(2_000)),
                () -> quietly(() -> framesThatAreNotJson(2_000)));
    }

    /** Every pattern once, at the same time; returns when all have sent what they send. */
    void round() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> abuse = new ArrayList<>();
            for (Runnable pattern : patterns()) {
                abuse.add(pool.submit(pattern));
            }
            for (Future<?> f : abuse) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Closes the peers kept open. */
    @Override
    public void close() {
        synchronized (open) {
            open.forEach(RawClient::close);
            open.clear();
        }
    }

    private void sysmsgsReusingOneId(int count) {
        RawClient peer = peer();
        String frame = "{\"to\":null,\"id\":\"M1.1\",\"content\":{\"spam\":true},\"command\":\"sysmsg\"}";
        for (int i = 0; i < count; i++) {
            peer.send(frame);
        }
    }

    private void tinyWorksInLargeFrames(int count, int frameBytes) {
        RawClient peer = peer();
        String padding = "x".repeat(frameBytes);
        for (int i = 0; i < count; i++) {
            peer.send("{\"command\":\"push\",\"rid\":\"big" + i + "\",\"work\":[{\"n\":-1,\"sleep\":0}],\"padding\":\"" + padding + "\"}");
        }
        peer.cut();
    }

    private void framesNeverFinished(int count, int announced) {
        for (int i = 0; i < count; i++) {
            RawClient peer = peer();
            peer.sendRaw(ByteHeader.of(announced));
            peer.sendRaw(new byte[announced / 4]);
        }
    }

    private void connectionsResetInALoop(int count) {
        for (int i = 0; i < count; i++) {
            RawClient peer = new RawClient(port);
            if (i % 2 == 0) {
                peer.send("{\"command\":\"status\"}");
            }
            peer.cut();
        }
    }

    private void statusRequestsNeverRead(int count) {
        RawClient peer = peer();
        for (int i = 0; i < count; i++) {
            peer.send("{\"command\":\"status\"}");
        }
    }

    private void framesThatAreNotJson(int count) {
        RawClient peer = peer();
        Random random = new Random(7);
        for (int i = 0; i < count; i++) {
            byte[] garbage = new byte[1 + random.nextInt(200)];
            random.nextBytes(garbage);
            garbage[0] = '{'; // looks like JSON for a byte
            peer.sendBytes(garbage);
        }
    }

    /** A raw client kept open until the round is closed. */
    private RawClient peer() {
        RawClient peer = new RawClient(port);
        synchronized (open) {
            open.add(peer);
        }
        return peer;
    }

    /** Sends until done or until the manager closes the connection, which is its right. */
    private static void quietly(Runnable sending) {
        try {
            sending.run();
        } catch (java.io.UncheckedIOException closedByTheManager) {
            // the manager refused this peer: the pattern goes on with the next one
        }
    }

    private static final class ByteHeader {
        static byte[] of(int length) {
            return new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
        }
    }
}
