package io.proletariat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.proletariat.protocol.BlockingConnection;
import io.proletariat.protocol.RawJson;
import io.proletariat.testing.Participants;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Progress from a Java worker's handler to a Java client's listener, and an operator's cancel, through a real manager. */
class ProgressAndCancelTest {
    private final Participants p = new Participants();

    @BeforeEach
    void startManager() {
        p.startManager();
    }

    @AfterEach
    void closeAll() {
        p.close();
    }

    @Test
    void progressReachesTheListenerInOrderOnTheCallbackThreadBeforeTheResult() throws Exception {
        CountDownLatch step = new CountDownLatch(1);
        p.worker(1, (work, done) -> {
            for (int i = 1; i <= 5; i++) {
                work.progress(Map.of("percent", i * 20));
                if (i == 1) {
                    step.await(); // the first report alone, so that it cannot be replaced by a later one
                }
            }
            work.progress("finishing");
            done.success("done");
        });
        List<String> seen = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        AtomicBoolean resultSeen = new AtomicBoolean();
        Client client = p.client();
        List<String> wrong = new CopyOnWriteArrayList<>();
        WorkOptions options = WorkOptions.builder().onProgress((index, workId, progress) -> {
            if (resultSeen.get() || index != 0 || !workId.startsWith("W")) {
                wrong.add(index + " " + workId + " after the result: " + resultSeen.get());
            }
            seen.add(progress.toString());
            threads.add(Thread.currentThread().getName());
            if (seen.size() == 1) {
                step.countDown();
            }
        }).build();
        CompletableFuture<WorkResult> result = client.submitOne("x", options);
        WorkResult r = result.thenApply(x -> {
            resultSeen.set(true);
            return x;
        }).get(30, TimeUnit.SECONDS);
        assertThat(r.get(String.class)).isEqualTo("done");
        assertThat(seen.get(0)).isEqualTo("{\"percent\":20}");
        // Later reports may be merged (latest wins), never reordered, and the last one always arrives.
        assertThat(seen).isSortedAccordingTo((a, b) -> Integer.compare(order(a), order(b)));
        assertThat(seen.get(seen.size() - 1)).isEqualTo("\"finishing\"");
        assertThat(threads).allMatch(t -> t.startsWith("proletariat-client-callbacks"));
        assertThat(wrong).isEmpty();
    }

    private static int order(String progress) {
        return progress.startsWith("{") ? Integer.parseInt(progress.replaceAll("\\D", "")) : 1000;
    }

    @Test
    void aCallWithoutAListenerGetsNoProgressAndAnOversizeReportThrowsInTheHandler() throws Exception {
        AtomicBoolean refused = new AtomicBoolean();
        p.worker(1, (work, done) -> {
            work.progress("half");
            try {
                work.progress("x".repeat(io.proletariat.worker.Work.MAX_PROGRESS_BYTES));
            } catch (IllegalArgumentException e) {
                refused.set(true);
            }
            done.success(1);
        });
        Client client = p.client();
        assertThat(client.submitOne("x").get(30, TimeUnit.SECONDS).get(Integer.class)).isEqualTo(1);
        assertThat(refused).isTrue();
    }

    @Test
    void anOperatorsCancelFailsTheCallWithEcanceledAndAbortsTheHandler() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch aborted = new CountDownLatch(1);
        p.worker(1, (work, done) -> {
            if (!work.args(String.class).equals("a")) {
                done.success("ran");
                return;
            }
            work.onAbort(aborted::countDown);
            running.countDown();
            aborted.await(60, TimeUnit.SECONDS); // a work that runs until it is aborted (the abort interrupts it, or its callback counts down)
        });
        Client client = p.client();
        WorkSubmission submission = client.submitIndividual(List.of("a", "b"), WorkOptions.DEFAULT);
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        String runningId = await().until(() -> runningWorkId(), id -> id != null);
        cancel(runningId);
        assertThat(aborted.await(30, TimeUnit.SECONDS)).as("the worker saw the abort").isTrue();
        List<WorkResult> results = submission.all().get(30, TimeUnit.SECONDS);
        WorkResult cancelled = results.stream().filter(r -> runningId.equals(r.workId())).findFirst().orElseThrow();
        assertThat(cancelled.errorCode()).isEqualTo("ECANCELED");
        assertThatThrownBy(() -> cancelled.get(String.class)).isInstanceOf(WorkFailedException.class);
        assertThat(results.get(1).get(String.class)).isEqualTo("ran"); // the rest of the call goes on
    }

    /** The id of the work the manager lists as running, through the protocol's works command. */
    private String runningWorkId() throws Exception {
        String answer = ask("{\"command\":\"works\",\"running\":true}");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"id\":\"(W[^\"]+)\"").matcher(answer);
        return m.find() ? m.group(1) : null;
    }

    private void cancel(String id) throws Exception {
        assertThat(ask("{\"command\":\"cancel\",\"ids\":[\"" + id + "\"]}")).contains("\"cancelled\":1");
    }

    private String ask(String frame) throws Exception {
        try (BlockingConnection c = BlockingConnection.connect("127.0.0.1", p.manager().port(), Duration.ofSeconds(5))) {
            c.writeFrame(frame);
            return new String(c.readFrame(Duration.ofSeconds(10)), StandardCharsets.UTF_8);
        }
    }

    @Test
    void rawJsonProgressIsSentVerbatim() throws Exception {
        p.worker(1, (work, done) -> {
            work.progress(RawJson.of("{\"a\" : [1, 2]}"));
            done.success(null);
        });
        List<String> seen = new CopyOnWriteArrayList<>();
        Client client = p.client();
        client.submitOne("x", WorkOptions.builder().onProgress((i, id, v) -> seen.add(v.toString())).build()).get(30, TimeUnit.SECONDS);
        assertThat(seen).containsExactly("{\"a\" : [1, 2]}");
    }
}
