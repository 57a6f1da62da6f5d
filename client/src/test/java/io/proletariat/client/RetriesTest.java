package io.proletariat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.proletariat.protocol.ProletariatException;
import io.proletariat.testing.Participants;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retries and delays asked through {@link WorkOptions}, on a real manager with a real worker and
 * client (docs/client-and-worker.md, Retries and delayed works).
 */
class RetriesTest {
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
    void aHandlerThatFailsTwiceIsRunThreeTimesAndTheResultSaysSo() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        p.worker(1, (work, done) -> {
            if (runs.incrementAndGet() <= 2) {
                done.fail(new ProletariatException("EFLAKY", "try again"));
            } else {
                done.success("third time");
            }
        });
        Client client = p.client();
        WorkResult r = client.submitOne("w", WorkOptions.builder().retries(3).backoff(Duration.ofMillis(10)).build())
                .get(30, TimeUnit.SECONDS);
        assertThat(r.get(String.class)).isEqualTo("third time");
        assertThat(r.attempts()).isEqualTo(3);
        assertThat(r.lastErrorCode()).isEqualTo("EFLAKY");
        assertThat(runs).hasValue(3);
        assertThat(p.manager().stats().waiting().retried()).isEqualTo(2);
    }

    @Test
    void retriesEndWithTheLastFailure() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        p.worker(1, (work, done) -> done.fail(new ProletariatException("E" + runs.incrementAndGet(), "no")));
        Client client = p.client();
        WorkResult r = client.submitOne("w", WorkOptions.builder().retries(2).backoff(Duration.ZERO).build()).get(30, TimeUnit.SECONDS);
        assertThat(r.isFailure()).isTrue();
        assertThat(r.errorCode()).isEqualTo("E3");
        assertThat(r.attempts()).isEqualTo(3);
        assertThat(r.lastErrorCode()).isEqualTo("E3");
        assertThat(runs).hasValue(3);
    }

    @Test
    void aRunTimeoutIsRetriedWhenRetryOnNamesIt() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        p.worker(1, (work, done) -> {
            if (runs.incrementAndGet() == 1) {
                new CountDownLatch(1).await(); // stuck until the run timeout interrupts it
            }
            done.success("quick");
        });
        Client client = p.client();
        WorkResult r = client.submitOne("w", WorkOptions.builder().runTimeout(Duration.ofMillis(200)).retries(1)
                .backoff(Duration.ZERO).retryOn(WorkOptions.RetryOn.ETO).build()).get(30, TimeUnit.SECONDS);
        assertThat(r.get(String.class)).isEqualTo("quick");
        assertThat(r.attempts()).isEqualTo(2);
        assertThat(r.lastErrorCode()).isEqualTo("ETO");
    }

    @Test
    void handlerErrorsAreNotRetriedWhenRetryOnLeavesThemOut() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        p.worker(1, (work, done) -> {
            runs.incrementAndGet();
            throw new IllegalStateException("boom");
        });
        Client client = p.client();
        WorkResult r = client.submitOne("w", WorkOptions.builder().retries(5).retryOn(WorkOptions.RetryOn.ETO, WorkOptions.RetryOn.LOST)
                .build()).get(30, TimeUnit.SECONDS);
        assertThat(r.isFailure()).isTrue();
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(runs).hasValue(1);
    }

    @Test
    void withoutRetriesAResultReportsNoAttempts() throws Exception {
        p.worker(1, (work, done) -> done.success("once"));
        WorkResult r = p.client().submitOne("w", WorkOptions.DEFAULT).get(30, TimeUnit.SECONDS);
        assertThat(r.attempts()).isZero();
        assertThat(r.lastError()).isNull();
    }

    @Test
    void aDelayedWorkDoesNotRunBeforeItsDelayNorANotBeforeWorkBeforeItsTime() throws Exception {
        AtomicLong ranAt = new AtomicLong();
        p.worker(2, (work, done) -> {
            ranAt.compareAndSet(0, System.currentTimeMillis());
            done.success(work.args(String.class));
        });
        Client client = p.client();
        long pushedBefore = System.currentTimeMillis();
        WorkResult r = client.submitOne("d", WorkOptions.builder().delay(Duration.ofMillis(300)).build()).get(30, TimeUnit.SECONDS);
        assertThat(r.get(String.class)).isEqualTo("d");
        assertThat(ranAt.get()).isGreaterThanOrEqualTo(pushedBefore + 300);

        ranAt.set(0);
        Instant at = Instant.now().plusMillis(300);
        r = client.submitOne("n", WorkOptions.builder().notBefore(at).build()).get(30, TimeUnit.SECONDS);
        assertThat(r.get(String.class)).isEqualTo("n");
        assertThat(ranAt.get()).isGreaterThanOrEqualTo(at.toEpochMilli());
    }

    @Test
    void theBuilderRefusesValuesTheManagerWould() {
        assertThatThrownBy(() -> WorkOptions.builder().retries(1001)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retries");
        assertThatThrownBy(() -> WorkOptions.builder().retries(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WorkOptions.builder().backoff(Duration.ofDays(2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("backoff");
        assertThatThrownBy(() -> WorkOptions.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backoffMax");
        assertThatThrownBy(() -> WorkOptions.builder().delay(Duration.ofDays(31))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("delay");
        assertThatThrownBy(() -> WorkOptions.builder().delay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        WorkOptions o = WorkOptions.builder().retries(2).backoff(Duration.ofMillis(5), Duration.ofMillis(50))
                .retryOn(WorkOptions.RetryOn.LOST).delay(Duration.ofSeconds(1)).build();
        assertThat(o.toBuilder().build().retryOn()).containsExactly(WorkOptions.RetryOn.LOST);
        assertThat(o.backoffMax()).isEqualTo(Duration.ofMillis(50));
        assertThat(o.toString()).contains("retries=2", "delay=1000ms");
    }

    @Test
    void aDelayedWorkOfAClosedClientIsDropped() throws Exception {
        Client client = p.client();
        client.submitOne(Map.of("v", 1), WorkOptions.builder().delay(Duration.ofHours(1)).build());
        org.awaitility.Awaitility.await().until(() -> p.manager().stats().waiting().delayed() == 1);
        client.close();
        org.awaitility.Awaitility.await().until(() -> p.manager().counts().liveWorks() == 0);
        assertThat(p.manager().stats().waiting().delayed()).isZero();
    }
}
