package io.proletariat.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.proletariat.testing.InfoLogCapture;
import io.proletariat.testing.Participants;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Work arguments and results are the application's data: no log line of the manager, the client or
 * the worker at INFO or above carries them (docs/security.md), whatever happens to the work: served,
 * failed, thrown, aborted by the client's timeout, or out of time on the worker.
 */
class SecretsStayOutOfLogsTest {
    private static final String SECRET = "s3cr3t-arg-7f1d2c";
    private static final String RESULT_SECRET = "s3cr3t-result-9a8b7c";
    private static final long WAIT_SECONDS = 30;

    private final Participants p = new Participants();

    @AfterEach
    void closeAll() {
        p.close();
    }

    private static Map<String, String> work(String mode) {
        return Map.of("mode", mode, "secret", SECRET);
    }

    @Test
    void argumentsAndResultsNeverReachTheLogsAtInfo() throws Exception {
        String logged;
        try (InfoLogCapture capture = new InfoLogCapture()) {
            p.startManager();
            p.worker(p.workerOptions().slots(4).build(), (work, done) -> {
                String mode = String.valueOf(work.args(Map.class).get("mode"));
                switch (mode) {
                    case "ok" -> done.success(Map.of("echo", RESULT_SECRET));
                    case "fail" -> done.fail(Map.of("why", RESULT_SECRET));
                    case "throw" -> throw new IllegalStateException("failed on " + RESULT_SECRET);
                    default -> { } // "hang": never answers; the client's or the worker's timeout ends it
                }
            });
            Client client = p.client();
            WorkResult ok = client.submitOne(work("ok")).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(ok.data().toString()).contains(RESULT_SECRET);
            assertThat(client.submitOne(work("fail")).get(WAIT_SECONDS, TimeUnit.SECONDS).isFailure()).isTrue();
            assertThat(client.submitOne(work("throw")).get(WAIT_SECONDS, TimeUnit.SECONDS).isFailure()).isTrue();
            WorkResult aborted = client.submitOne(work("hang"), WorkOptions.builder().overallTimeout(Duration.ofMillis(300)).build())
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(aborted.errorCode()).isEqualTo("ECSTO");
            WorkResult timedOut = client.submitOne(work("hang"), WorkOptions.builder().runTimeout(Duration.ofMillis(300)).build())
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(timedOut.errorCode()).isEqualTo("ETO");
            p.close(); // the goodbyes are logged too
            logged = capture.text();
        }
        // The capture saw INFO lines of all three: the manager's connections, the worker's offer, the client's timeout.
        assertThat(logged).contains("INFO io.proletariat.manager", "offered 4 slots", "ran out of time");
        assertThat(logged).doesNotContain(SECRET).doesNotContain(RESULT_SECRET);
    }
}
