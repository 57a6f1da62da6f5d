package io.proletariat.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proletariat.protocol.BlockingConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A worker that speaks raw frames on a {@link BlockingConnection} and misbehaves on purpose, as a buggy or hostile worker of any
 * language could: it rejects some dispatches, answers late, answers twice, answers works it does
 * not hold, stops reading, or has its socket cut with a reset. Its correct answers are the
 * {@link AnswerChecker} echo, so the checker can tell them from forged ones.
 */
final class RawWorker implements AutoCloseable {
    private final BlockingConnection connection;
    private final String tag;
    private final Random random;
    private final ScheduledExecutorService timer;
    private final Thread reader;
    private final CountDownLatch ready = new CountDownLatch(1);
    /** Works dispatched to it and accepted, not yet answered. */
    final Set<String> held = ConcurrentHashMap.newKeySet();
    final AtomicLong dispatched = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong aborted = new AtomicLong();
    final AtomicLong forged = new AtomicLong();
    /** Answers of the manager to this worker's {@code done} frames (counted, ignored or refused). */
    final AtomicLong doneAnswers = new AtomicLong();

    volatile double rejectShare;
    /** Lists each rejected id three times in its answer, as a broken or hostile worker might. */
    volatile boolean repeatRejected;
    volatile long answerDelayMillis;
    volatile int answersPerWork = 1;
    /** Another worker whose held works this one claims to have finished, with a wrong result. */
    volatile RawWorker forgeFor;
    /** Keeps answering works after the manager aborted them. */
    volatile boolean answerAborted;
    private volatile boolean stalled;

    RawWorker(int port, int slots, String tag, long seed) {
        this.tag = tag;
        this.random = new Random(seed);
        try {
            connection = BlockingConnection.connect("127.0.0.1", port, Duration.ofSeconds(5));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "raw-worker-" + tag + "-timer");
            t.setDaemon(true);
            return t;
        });
        send(AnswerChecker.JSON.createObjectNode().put("command", "offer").put("slots", slots));
        reader = new Thread(this::readLoop, "raw-worker-" + tag);
        reader.setDaemon(true);
        reader.start();
        try {
            if (!ready.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("offer of " + tag + " not answered");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void readLoop() {
        try {
            while (!stalled) {
                handle(AnswerChecker.JSON.readTree(connection.readFrame()));
            }
            // Stalled: nothing reads any more, so what the manager sends piles up.
        } catch (IOException e) {
            // closed
        }
    }

    private void handle(JsonNode frame) {
        String command = frame.path("command").asText();
        switch (command) {
            case "push" -> dispatch(frame.get("work"));
            case "abort" -> frame.path("work").forEach(id -> {
                if (held.remove(id.asText())) {
                    aborted.incrementAndGet();
                }
            });
            case "ping" -> send(AnswerChecker.JSON.createObjectNode().put("to", "ping").put("command", "answer"));
            case "sysmsg" -> send(AnswerChecker.JSON.createObjectNode().put("to", "sysmsg").put("id", frame.path("id").asText()).put("command", "answer"));
            case "answer" -> {
                switch (frame.path("to").asText()) {
                    case "offer" -> ready.countDown();
                    case "done" -> doneAnswers.incrementAndGet();
                    default -> { }
                }
            }
            default -> { }
        }
    }

    private void dispatch(JsonNode works) {
        ObjectNode answer = AnswerChecker.JSON.createObjectNode();
        ArrayNode accepted = answer.putArray("accepted");
        ArrayNode rejectedIds = answer.putArray("rejected");
        for (JsonNode w : works) {
            dispatched.incrementAndGet();
            String id = w.get("id").asText();
            if (random.nextDouble() < rejectShare) {
                rejected.incrementAndGet();
                for (int i = 0; i < (repeatRejected ? 3 : 1); i++) {
                    rejectedIds.add(id);
                }
                continue;
            }
            accepted.add(id);
            held.add(id);
            long delay = answerDelayMillis;
            JsonNode args = w.get("args");
            timer.schedule(() -> finish(id, args), delay, TimeUnit.MILLISECONDS);
        }
        send(answer.put("description", "raw").put("to", "push").put("command", "answer"));
    }

    private void finish(String id, JsonNode args) {
        if (!held.remove(id) && !answerAborted) {
            return;
        }
        ObjectNode done = AnswerChecker.JSON.createObjectNode();
        ArrayNode items = done.putArray("work");
        for (int i = 0; i < answersPerWork; i++) {
            ObjectNode result = items.addObject().put("id", id).putObject("result");
            result.putNull("err");
            result.set("data", AnswerChecker.JSON.valueToTree(AnswerChecker.echoResult(args, tag)));
        }
        RawWorker victim = forgeFor;
        if (victim != null) {
            for (String foreign : List.copyOf(victim.held)) {
                forged.incrementAndGet();
                ObjectNode result = items.addObject().put("id", foreign).putObject("result");
                result.putNull("err");
                result.putObject("data").put("n", -1).put("forged", true);
            }
            items.addObject().put("id", "W000000R999999999").putObject("result").putNull("err");
        }
        send(done.put("command", "done"));
    }

    /** Stops reading from the socket: frames from the manager pile up. */
    void stall() {
        stalled = true;
    }

    /** Resets the connection (SO_LINGER 0): the manager sees the connection die, not a clean close. */
    void cut() {
        timer.shutdownNow();
        connection.reset();
    }

    void send(JsonNode frame) {
        try {
            connection.writeFrame(AnswerChecker.JSON.writeValueAsBytes(frame));
        } catch (IOException e) {
            // The connection is gone; the test sees it through the manager.
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        connection.close();
    }
}
