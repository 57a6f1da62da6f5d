package io.proletariat.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.proletariat.client.Client;
import io.proletariat.manager.Manager;
import io.proletariat.testing.Participants;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Healthy workers and clients beside hostile peers: every pattern of {@link AbuseLoad}, and a
 * worker rejecting every work and listing each rejected id three times, run at the same time as a
 * checked load (each bounded in count, so the test ends by itself); the healthy works must all be
 * answered exactly once with the right result, and the manager be idle after.
 */
class AbuseSoakTest {
    private Participants p;
    private AnswerChecker checker;
    private AbuseLoad load;

    @BeforeEach
    void setUp() {
        p = new Participants();
        checker = new AnswerChecker();
    }

    @AfterEach
    void tearDown() {
        if (load != null) {
            load.close();
        }
        p.close();
    }

    @Test
    void healthyTrafficStaysExactWhileEveryAbusePatternRunsBesideIt() throws Exception {
        Manager m = p.startManager();
        checker.watch(m);
        int port = m.port();
        load = new AbuseLoad(port);
        p.worker(4, checker.echo("h0"));
        p.worker(3, checker.echo("h1"));
        RawWorker rejecting = p.add(new RawWorker(port, 5, "rejects", 1));
        rejecting.rejectShare = 1.0;
        rejecting.repeatRejected = true;
        List<Client> clients = List.of(p.client(), p.client());

        ExecutorService background = Executors.newSingleThreadExecutor();
        Future<?> abuse = background.submit(() -> {
            load.round();
            return null;
        });
        Random random = new Random(12_017);
        for (int round = 0; round < 20; round++) {
            checker.submit(clients.get(round % 2), 10 + random.nextInt(40), random.nextInt(5));
        }
        abuse.get(60, TimeUnit.SECONDS);
        background.shutdown();

        checker.awaitAllAnswered(Duration.ofSeconds(60));
        checker.assertClean();
        assertThat(rejecting.rejected.get()).as("the rejecting worker was sent works").isPositive();
        load.close();
        rejecting.close();
        AnswerChecker.assertIdle(m);
        await().atMost(Duration.ofSeconds(20)).until(() -> m.stats().clients().size() == clients.size());
        System.out.println("abuse soak: " + checker.pushedCount() + " healthy works exact beside 6 abuse patterns; "
                + rejecting.rejected.get() + " rejections by the rejecting worker");
    }
}
