package io.proletariat.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proletariat.client.Client;
import io.proletariat.client.WorkOptions;
import io.proletariat.client.WorkResult;
import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerListener;
import io.proletariat.manager.ManagerStats;
import io.proletariat.manager.WorkInfo;
import io.proletariat.protocol.RawJson;
import io.proletariat.worker.WorkHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records every work a test pushes and every answer it gets, and checks the promise of issue 6:
 * every work answered exactly once, every successful result the right one, nothing left in the
 * manager once idle.
 *
 * <p>A work's args are {@code {"n":<unique number>,"sleep":<ms>,"pad":..}}; {@link #echo(String)}
 * answers {@code {"n":n,"echo":<args>,"by":<tag>}}. A result is right when its {@code n} and
 * {@code echo} match what was pushed. Which error codes a work may end with is decided when it is
 * pushed (e.g. {@code ECLOSED} for a client the test closes); any other failure is a problem.
 */
final class AnswerChecker {
    static final ObjectMapper JSON = new ObjectMapper();

    private final AtomicLong next = new AtomicLong();
    private final Map<Long, Pushed> pushed = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> executions = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> terminalEvents = new ConcurrentHashMap<>();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicInteger groups = new AtomicInteger();
    private final AtomicInteger groupsAnswered = new AtomicInteger();

    private static final class Pushed {
        final JsonNode args;
        final Set<String> allowedCodes;
        final AtomicInteger answers = new AtomicInteger();
        volatile String outcome;

        Pushed(JsonNode args, Set<String> allowedCodes) {
            this.args = args;
            this.allowedCodes = allowedCodes;
        }
    }

    /** New works' args, registered as pushed, that may fail only with {@code allowedCodes}. */
    List<Map<String, Object>> works(int count, int sleepMillis, Set<String> allowedCodes) {
        List<Map<String, Object>> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long n = next.getAndIncrement();
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("n", n);
            args.put("sleep", sleepMillis);
            args.put("pad", "w" + n);
            pushed.put(n, new Pushed(tree(RawJson.of(json(args))), allowedCodes));
            list.add(args);
        }
        return list;
    }

    /** Pushes {@code count} new works with the callback API, each answer checked as it arrives. */
    void submit(Client client, int count, int sleepMillis, WorkOptions options, Set<String> allowedCodes) {
        List<Map<String, Object>> works = works(count, sleepMillis, allowedCodes);
        groups.incrementAndGet();
        AtomicInteger groupCalls = new AtomicInteger();
        client.workIndividual(works, options, (err, data, result) -> {
            if (result == null) {
                return; // the whole call failed: accounted for by the group callback
            }
            answer(((Number) works.get(result.index()).get("n")).longValue(), result);
        }, (err, results) -> {
            if (groupCalls.incrementAndGet() > 1) {
                problems.add("group callback called twice");
            }
            groupsAnswered.incrementAndGet();
            if (err != null) {
                // A failure of the whole call is the final answer of each work not answered yet.
                for (Map<String, Object> w : works) {
                    failWhole(((Number) w.get("n")).longValue(), err.code());
                }
            }
        });
    }

    void submit(Client client, int count, int sleepMillis) {
        submit(client, count, sleepMillis, WorkOptions.builder().build(), Set.of());
    }

    /** Records one answer for work {@code n}. */
    void answer(long n, WorkResult result) {
        Pushed p = pushed.get(n);
        if (p == null) {
            problems.add("answer for a work never pushed: " + n);
            return;
        }
        if (p.answers.incrementAndGet() > 1) {
            problems.add("work " + n + " answered twice: " + p.outcome + " then " + result);
            return;
        }
        answered.incrementAndGet();
        if (result.isSuccess()) {
            JsonNode data = tree(result.data());
            p.outcome = "ok";
            if (data.path("n").asLong(-1) != n || !p.args.equals(data.get("echo"))) {
                problems.add("work " + n + " got a wrong result: " + data + " for " + p.args);
            }
        } else {
            failures.incrementAndGet();
            p.outcome = result.errorCode();
            if (!p.allowedCodes.contains(result.errorCode())) {
                problems.add("work " + n + " failed with " + result.errorCode() + ": " + result.error());
            }
        }
    }

    private void failWhole(long n, String code) {
        Pushed p = pushed.get(n);
        if (p.answers.get() > 0) {
            return;
        }
        p.answers.incrementAndGet();
        p.outcome = code;
        answered.incrementAndGet();
        failures.incrementAndGet();
        if (!p.allowedCodes.contains(code)) {
            problems.add("work " + n + " failed with the whole call: " + code);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The echo handler: counts executions, sleeps as told (interruptibly), answers args plus {@code tag}. */
    WorkHandler echo(String tag) {
        return (work, done) -> {
            JsonNode args = JSON.readTree(work.argsJson());
            executions.computeIfAbsent(args.path("n").asLong(), k -> new AtomicInteger()).incrementAndGet();
            int sleep = args.path("sleep").asInt();
            if (sleep > 0) {
                Thread.sleep(sleep);
            }
            done.success(echoResult(args, tag));
        };
    }

    static Map<String, Object> echoResult(JsonNode args, String tag) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("n", args.path("n").asLong());
        result.put("echo", args);
        result.put("by", tag);
        return result;
    }

    /** Counts the manager's final events per work id: each work may end once (finish, abort, EATO or given up). */
    void watch(Manager manager) {
        manager.addListener(new ManagerListener() {
            @Override
            public void finish(WorkInfo work, RawJson result) {
                ended(work);
            }

            @Override
            public void abort(WorkInfo work) {
                ended(work);
            }

            @Override
            public void assignTimeout(WorkInfo work) {
                ended(work);
            }

            @Override
            public void giveUp(WorkInfo work) {
                ended(work);
            }

            private void ended(WorkInfo work) {
                // Work ids are unique only within one manager's lifetime.
                String key = System.identityHashCode(manager) + "/" + work.id();
                if (terminalEvents.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
                    problems.add("manager ended work " + work.id() + " twice");
                }
            }
        });
    }

    long pushedCount() {
        return pushed.size();
    }

    long answeredCount() {
        return answered.get();
    }

    long failureCount() {
        return failures.get();
    }

    /** How many times the handler ran work {@code n} (at-least-once: reruns after a worker died). */
    int executions(long n) {
        AtomicInteger c = executions.get(n);
        return c == null ? 0 : c.get();
    }

    long reruns() {
        return executions.values().stream().mapToLong(c -> Math.max(0, c.get() - 1)).sum();
    }

    void awaitAllAnswered(Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(answered.get()).as("answered of %s pushed; unanswered e.g. %s", pushed.size(), unanswered())
                        .isEqualTo(pushed.size()));
    }

    private List<Long> unanswered() {
        List<Long> list = new ArrayList<>();
        pushed.forEach((n, p) -> {
            if (p.answers.get() == 0 && list.size() < 5) {
                list.add(n);
            }
        });
        return list;
    }

    /** Every work answered once and rightly, every group once, and no problem recorded. */
    void assertClean() {
        assertThat(problems).as("problems").isEmpty();
        assertThat(answered.get()).as("answered").isEqualTo(pushed.size());
        pushed.forEach((n, p) -> assertThat(p.answers.get()).as("answers of work %s", n).isEqualTo(1));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(groupsAnswered.get()).as("groups answered").isEqualTo(groups.get()));
        assertThat(problems).as("problems").isEmpty();
        Figures.worksChecked(pushed.size());
    }

    /** Waits until the manager holds no work and every slot is free. */
    static void assertIdle(Manager manager) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertThat(manager.liveWorks()).as("live works").isZero();
            assertThat(manager.runningWorks()).as("running works").isZero();
            ManagerStats s = manager.stats();
            assertThat(s.running()).as("stats running").isZero();
            assertThat(s.slotsFree()).as("free slots").isEqualTo(s.slotsTotal());
            assertThat(s.queued().values().stream().mapToLong(Long::longValue).sum()).as("queued").isZero();
            assertThat(s.onHold()).as("on hold").isZero();
            s.workers().forEach(w -> assertThat(w.busy()).as("busy slots of %s", w.id()).isZero());
            s.clients().forEach(c -> assertThat(c.pendingWorks()).as("pending works of %s", c.id()).isZero());
        });
    }

    private static JsonNode tree(RawJson json) {
        try {
            return JSON.readTree(json.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
