package io.proletariat.manager.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.manager.Manager;
import io.proletariat.manager.RawPeer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps works flowing through a manager while a test looks at it: raw-protocol workers that answer
 * a few works at a time (some with errors), and a client pushing a little faster than they finish,
 * at three priorities. Bounded: it runs until closed, and the test that owns it runs for seconds.
 */
final class BackgroundLoad implements AutoCloseable {
    private final List<RawPeer> peers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<String> workerIds = new ArrayList<>();
    private volatile boolean running = true;
    final AtomicLong answered = new AtomicLong();

    /** Starts one worker per entry of {@code offers} (slots as the offer command writes them) and one client. */
    BackgroundLoad(Manager manager, String... offers) {
        for (int i = 0; i < offers.length; i++) {
            RawPeer worker = new RawPeer(manager);
            peers.add(worker);
            workerIds.add(worker.offer(offers[i]));
            long seed = i;
            start("load-worker-" + i, () -> work(worker, new Random(seed)));
        }
        RawPeer client = new RawPeer(manager);
        peers.add(client);
        start("load-client", () -> push(client));
    }

    List<String> workerIds() {
        return workerIds;
    }

    private void start(String name, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (RuntimeException | AssertionError e) {
                if (running) {
                    throw e;
                }
                // Closed under it: the test is over.
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    /**
     * About 500 works a second in batches of ten, at priorities 0, 2 and 5: more than the workers
     * answer (at most ~270 a second), so a backlog builds up and the queue is never empty.
     */
    private void push(RawPeer client) {
        int[] priorities = {0, 0, 2, 5};
        for (int batch = 0; running; batch++) {
            client.push("b" + batch, "[1,2,3,4,5,6,7,8,9,10]", "'priority':" + priorities[batch % priorities.length]);
            pause(20);
        }
    }

    /** Answers up to three works every 20 ms or so; about one in ten fails. */
    private void work(RawPeer worker, Random random) {
        List<String> pending = new ArrayList<>();
        while (running) {
            if (pending.isEmpty()) {
                worker.readUntil(frame -> accept(worker, frame, pending));
            }
            pause(15 + random.nextInt(15));
            StringBuilder done = new StringBuilder();
            for (int i = 0; i < 3 && !pending.isEmpty(); i++) {
                String id = pending.remove(0);
                int roll = random.nextInt(100);
                String result = roll < 7 ? "{'err':{'code':'EBOOM','message':'the widget exploded'},'data':null}"
                        : roll < 10 ? "{'err':{'code':'ETO','message':'Run timeout'},'data':null}"
                        : "{'err':null,'data':{'ok':true}}";
                done.append(done.length() == 0 ? "" : ",").append("{'id':'").append(id).append("','result':").append(result).append('}');
                answered.incrementAndGet();
            }
            worker.send("{'command':'done','work':[" + done + "]}");
            worker.readUntil(frame -> !accept(worker, frame, pending) && isDoneAnswer(frame));
        }
    }

    /** Accepts a dispatch push, keeping its ids; true if {@code frame} was one. */
    private static boolean accept(RawPeer worker, JsonNode frame, List<String> pending) {
        if (!"push".equals(frame.path("command").asText()) || frame.has("to")) {
            return false;
        }
        List<String> ids = RawPeer.ids(frame);
        pending.addAll(ids);
        StringBuilder accepted = new StringBuilder();
        ids.forEach(id -> accepted.append(accepted.length() == 0 ? "'" : ",'").append(id).append('\''));
        worker.send("{'to':'push','command':'answer','accepted':[" + accepted + "]}");
        return true;
    }

    private static boolean isDoneAnswer(JsonNode frame) {
        return "answer".equals(frame.path("command").asText()) && "done".equals(frame.path("to").asText());
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        peers.forEach(RawPeer::close);
        for (Thread t : threads) {
            t.join(5000);
        }
    }
}
