package io.proletariat.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.embedded.EmbeddedChannel;
import io.proletariat.manager.ManagerOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Retries and delayed works in the dispatch core, on embedded channels whose clock the test moves:
 * backoffs and delays are checked to the millisecond, with no waiting.
 */
class RetriesAndDelaysTest extends CoreTestBase {

    private DispatchCore core(ManagerOptions.Builder options) {
        loop.freezeTime();
        core = new DispatchCore(loop.eventLoop(), options.resumeGrace(Duration.ZERO).build());
        core.works.random = new Random(7);
        core.start();
        return core;
    }

    /** The ids of the works dispatched to the worker since the last look. */
    private static List<String> dispatched(Connection worker) {
        List<String> ids = new ArrayList<>();
        for (JsonNode f : frames(worker)) {
            if ("push".equals(f.path("command").asText())) {
                f.get("work").forEach(w -> ids.add(w.get("id").asText()));
            }
        }
        return ids;
    }

    private static List<String> dispatchedArgs(Connection worker) {
        List<String> args = new ArrayList<>();
        for (JsonNode f : frames(worker)) {
            if ("push".equals(f.path("command").asText())) {
                f.get("work").forEach(w -> args.add(w.get("args").asText()));
            }
        }
        return args;
    }

    private void accept(Connection worker, String id) {
        send(worker, "{'command':'answer','to':'push','accepted':['" + id + "'],'rejected':[]}");
    }

    private void fail(Connection worker, String id, String code) {
        accept(worker, id);
        send(worker, "{'command':'done','work':[{'id':'" + id + "','result':{'err':{'code':'" + code + "','message':'boom'},'data':null}}]}");
    }

    private void succeed(Connection worker, String id) {
        accept(worker, id);
        send(worker, "{'command':'done','work':[{'id':'" + id + "','result':{'err':null,'data':'ok'}}]}");
    }

    /** The client's done items since the last look. */
    private static List<JsonNode> results(Connection client) {
        List<JsonNode> items = new ArrayList<>();
        for (JsonNode f : frames(client)) {
            if ("done".equals(f.path("command").asText())) {
                f.get("work").forEach(items::add);
            }
        }
        return items;
    }

    /** Moves the clock one ms at a time until the worker is sent something; returns how long that took. */
    private long millisUntilDispatched(Connection worker, List<String> into, long limit) {
        for (long ms = 0; ms <= limit; ms++) {
            List<String> ids = dispatched(worker);
            if (!ids.isEmpty()) {
                into.addAll(ids);
                return ms;
            }
            advance(1);
        }
        return -1;
    }

    // ---------------------------------------------------------------- retries

    @Test
    void failedAttemptsAreRetriedAfterGrowingBackoffsThenTheLastFailureIsAnswered() {
        core(ManagerOptions.builder());
        Connection client = connect();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1}");
        frames(worker);
        send(client, "{'command':'push','rid':'r','work':['x'],'retries':2,'backoff':1000,'backoffMax':1500}");
        String id = frames(client).get(0).get("work").get(0).asText();
        assertThat(dispatched(worker)).containsExactly(id);
        fail(worker, id, "EBOOM");
        assertThat(results(client)).isEmpty();
        assertThat(core.works.retrying()).isEqualTo(1);
        assertThat(core.works.get(id).state()).isEqualTo(Work.State.RETRY_WAIT);
        // First backoff: 1000 ms, jittered into its upper half [500, 1000].
        List<String> again = new ArrayList<>();
        long first = millisUntilDispatched(worker, again, 2000);
        assertThat(first).isBetween(500L, 1000L);
        assertThat(again).containsExactly(id); // the same work, under the same id
        fail(worker, id, "EBOOM");
        // Second: 2000 ms capped at backoffMax 1500: [750, 1500].
        long second = millisUntilDispatched(worker, again, 3000);
        assertThat(second).isBetween(750L, 1500L);
        fail(worker, id, "ELAST");
        List<JsonNode> done = results(client);
        assertThat(done).singleElement().satisfies(item -> {
            assertThat(item.get("id").asText()).isEqualTo(id);
            assertThat(item.at("/result/err/code").asText()).isEqualTo("ELAST");
            assertThat(item.get("attempts").asInt()).isEqualTo(3);
            assertThat(item.at("/lastError/code").asText()).isEqualTo("ELAST");
        });
        assertThat(core.snapshot().waiting().retried()).isEqualTo(2);
        assertThat(core.snapshot().waiting().retriesExhausted()).isEqualTo(1);
        assertThat(core.snapshot().counters().failed()).isEqualTo(1);
        assertThat(core.counts().liveWorks()).isZero();
        advance(10_000);
        assertThat(dispatched(worker)).isEmpty();
    }

    @Test
    void aSuccessAfterAFailureCarriesTheAttemptsAndTheLastError() {
        core(ManagerOptions.builder());
        Connection client = connect();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1}");
        send(client, "{'command':'push','rid':'r','work':['x'],'retries':5,'backoff':0}");
        String id = frames(client).get(0).get("work").get(0).asText();
        dispatched(worker);
        fail(worker, id, "EFIRST");
        advance(0);
        assertThat(dispatched(worker)).containsExactly(id); // backoff 0: at once
        succeed(worker, id);
        assertThat(results(client)).singleElement().satisfies(item -> {
            assertThat(item.at("/result/data").asText()).isEqualTo("ok");
            assertThat(item.get("attempts").asInt()).isEqualTo(2);
            assertThat(item.at("/lastError/code").asText()).isEqualTo("EFIRST");
        });
    }

    @Test
    void theRunTimeoutCountsOnlyWhenRetryOnNamesIt() {
        core(ManagerOptions.builder());
        Connection client = connect();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':2}");
        send(client, "{'command':'push','rid':'a','work':['a'],'retries':1,'backoff':0,'retryOn':['ETO']}");
        send(client, "{'command':'push','rid':'b','work':['b'],'retries':1,'backoff':0,'retryOn':['error']}");
        List<JsonNode> answers = frames(client);
        String a = answers.get(0).get("work").get(0).asText();
        String b = answers.get(1).get("work").get(0).asText();
        assertThat(dispatched(worker)).containsExactly(a, b);
        fail(worker, a, "ETO");
        fail(worker, b, "ETO");
        advance(0);
        // b does not retry on ETO: answered after one attempt; a runs again.
        assertThat(results(client)).singleElement().satisfies(item -> {
            assertThat(item.get("id").asText()).isEqualTo(b);
            assertThat(item.get("attempts").asInt()).isEqualTo(1);
        });
        assertThat(dispatched(worker)).containsExactly(a);
        fail(worker, a, "ETO");
        assertThat(results(client)).singleElement().satisfies(item -> {
            assertThat(item.get("attempts").asInt()).isEqualTo(2);
            assertThat(item.at("/result/err/code").asText()).isEqualTo("ETO");
        });
    }

    @Test
    void aWorkThatKillsItsWorkersEndsWithEworkerlostAfterItsRetries() {
        core(ManagerOptions.builder());
        Connection client = connect();
        send(client, "{'command':'push','rid':'r','work':['poison'],'retries':1,'backoff':100,'retryOn':['lost']}");
        String id = frames(client).get(0).get("work").get(0).asText();
        for (int attempt = 1; attempt <= 2; attempt++) {
            Connection worker = connect();
            send(worker, "{'command':'offer','slots':1}");
            advance(100); // the backoff, at most 100 ms
            assertThat(dispatched(worker)).containsExactly(id);
            accept(worker, id);
            core.disconnected(worker); // it died running the work
            loop.runPendingTasks();
        }
        assertThat(results(client)).singleElement().satisfies(item -> {
            assertThat(item.at("/result/err/code").asText()).isEqualTo("EWORKERLOST");
            assertThat(item.get("attempts").asInt()).isEqualTo(2);
            assertThat(item.at("/lastError/code").asText()).isEqualTo("EWORKERLOST");
        });
        assertThat(core.counts().liveWorks()).isZero();
    }

    @Test
    void withoutLostInRetryOnALostWorkerRequeuesTheWorkAsBefore() {
        core(ManagerOptions.builder());
        Connection client = connect();
        send(client, "{'command':'push','rid':'r','work':['w'],'retries':1,'retryOn':['error']}");
        String id = frames(client).get(0).get("work").get(0).asText();
        for (int run = 0; run < 5; run++) {
            Connection worker = connect();
            send(worker, "{'command':'offer','slots':1}");
            assertThat(dispatched(worker)).containsExactly(id); // at once: no backoff, no attempt counted
            accept(worker, id);
            core.disconnected(worker);
            loop.runPendingTasks();
        }
        assertThat(results(client)).isEmpty();
        assertThat(core.works.get(id).state()).isEqualTo(Work.State.QUEUED);
    }

    @Test
    void theManagersDefaultsApplyToPushesThatAskNothingAndRetriesZeroOptsOut() {
        core(ManagerOptions.builder().retries(1).backoff(Duration.ZERO).retryOn(Set.of("error")));
        Connection client = connect();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':2}");
        send(client, "{'command':'push','rid':'a','work':['a']}"); // an original client's push
        send(client, "{'command':'push','rid':'b','work':['b'],'retries':0}");
        List<JsonNode> answers = frames(client);
        String a = answers.get(0).get("work").get(0).asText();
        String b = answers.get(1).get("work").get(0).asText();
        dispatched(worker);
        fail(worker, a, "E");
        fail(worker, b, "E");
        advance(0);
        assertThat(results(client)).singleElement().satisfies(item -> {
            assertThat(item.get("id").asText()).isEqualTo(b);
            assertThat(item.has("attempts")).isFalse(); // no retries: the original's done item
        });
        assertThat(dispatched(worker)).containsExactly(a);
        succeed(worker, a);
        assertThat(results(client)).singleElement().satisfies(item -> assertThat(item.get("attempts").asInt()).isEqualTo(2));
    }

    @Test
    void withoutRetriesNothingChangesOnTheWire() {
        core(ManagerOptions.builder());
        Connection client = connect();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1}");
        send(client, "{'command':'push','rid':'r','work':['x']}");
        String id = frames(client).get(0).get("work").get(0).asText();
        dispatched(worker);
        fail(worker, id, "E");
        List<String> texts = OutboundFrames.texts(client.channel);
        assertThat(texts).containsExactly("{\"work\":[{\"id\":\"" + id + "\",\"result\":{\"err\":{\"code\":\"E\",\"message\":\"boom\"},"
                + "\"data\":null}}],\"command\":\"done\"}");
    }

    // ---------------------------------------------------------------- a resend during a backoff

    @Test
    void aWorkResentDuringItsBackoffWaitsItOutAndRunsOnce() {
        core(ManagerOptions.builder());
        Connection client = connect();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':2}");
        send(client, "{'command':'push','rid':'R1','session':'s1','work':['x'],'retries':3,'backoff':1000}");
        String id = frames(client).get(0).get("work").get(0).asText();
        dispatched(worker);
        fail(worker, id, "E1");
        long due = core.works.get(id).retry.retryDueNanos;
        // The client's connection drops; it reconnects and resends its unanswered work.
        core.disconnected(client);
        loop.runPendingTasks();
        assertThat(core.works.retrying()).isEqualTo(1); // kept for the resend
        Connection back = connect();
        send(back, "{'command':'push','rid':'R1','session':'s1','resent':true,'work':['x'],'retries':3,'backoff':1000}");
        String newId = frames(back).get(0).get("work").get(0).asText();
        assertThat(core.works.get(id)).isNull();
        assertThat(core.works.get(newId).state()).isEqualTo(Work.State.RETRY_WAIT);
        assertThat(core.works.get(newId).retry.retryDueNanos).isEqualTo(due); // the same backoff's end
        assertThat(core.works.retrying()).isEqualTo(1);
        assertThat(dispatched(worker)).isEmpty();
        advance(1000);
        assertThat(dispatched(worker)).containsExactly(newId); // once
        advance(60_000);
        assertThat(dispatched(worker)).isEmpty();
        succeed(worker, newId);
        assertThat(results(back)).singleElement().satisfies(item -> {
            assertThat(item.get("attempts").asInt()).isEqualTo(2); // the attempt before the reconnect counts
            assertThat(item.at("/lastError/code").asText()).isEqualTo("E1");
        });
        assertThat(core.counts().liveWorks()).isZero();
    }

    @Test
    void aResendOnANewConnectionWhileTheOldOneLingersTakesTheRetryOver() {
        core(ManagerOptions.builder());
        Connection old = connect();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':2}");
        send(old, "{'command':'push','rid':'R1','session':'s1','work':['x'],'retries':3,'backoff':500}");
        String id = frames(old).get(0).get("work").get(0).asText();
        dispatched(worker);
        fail(worker, id, "E1");
        Connection fresh = connect(); // the manager has not seen the old connection die yet
        send(fresh, "{'command':'push','rid':'R1','session':'s1','resent':true,'work':['x']}");
        String newId = frames(fresh).get(0).get("work").get(0).asText();
        advance(500);
        assertThat(dispatched(worker)).containsExactly(newId);
        advance(5000);
        assertThat(dispatched(worker)).isEmpty();
        assertThat(old.requests).isEmpty();
    }

    @Test
    void aRetryOfAClientThatNeverComesBackIsDropped() {
        core(ManagerOptions.builder());
        Connection client = connect();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1}");
        send(client, "{'command':'push','rid':'R1','session':'s1','work':['x'],'retries':3,'backoff':10}");
        String id = frames(client).get(0).get("work").get(0).asText();
        dispatched(worker);
        fail(worker, id, "E1");
        core.disconnected(client);
        loop.runPendingTasks();
        advance(TimeUnit.NANOSECONDS.toMillis(Works.KEEP_FOR_RESEND_NANOS));
        assertThat(dispatched(worker)).isEmpty();
        assertThat(core.works.retrying()).isZero();
        assertThat(core.counts().liveWorks()).isZero();
        assertThat(core.memory.queuedBytes).isZero();
    }

    @Test
    void aClientWithoutSessionThatLeavesDropsItsRetries() {
        core(ManagerOptions.builder());
        Connection client = connect();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1}");
        send(client, "{'command':'push','rid':'R1','work':['x'],'retries':3,'backoff':10}");
        String id = frames(client).get(0).get("work").get(0).asText();
        dispatched(worker);
        fail(worker, id, "E1");
        core.disconnected(client);
        loop.runPendingTasks();
        assertThat(core.works.retrying()).isZero();
        assertThat(core.counts().liveWorks()).isZero();
    }

    // ---------------------------------------------------------------- delayed works

    @Test
    void delayedWorksAreReleasedInDueOrderThenPushOrder() {
        core(ManagerOptions.builder());
        Connection client = connect();
        send(client, "{'command':'push','rid':'a','work':['a'],'delay':3000}");
        send(client, "{'command':'push','rid':'b','work':['b1','b2'],'delay':1000}");
        send(client, "{'command':'push','rid':'c','work':['c'],'delay':2000}");
        send(client, "{'command':'push','rid':'d','work':['d'],'delay':1000}");
        send(client, "{'command':'push','rid':'e','work':['e'],'notBefore':" + (System.currentTimeMillis() - 1000) + "}");
        assertThat(core.works.delayed()).isEqualTo(5);
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':10}");
        assertThat(dispatchedArgs(worker)).containsExactly("e"); // notBefore in the past: eligible at once
        advance(999);
        assertThat(dispatchedArgs(worker)).isEmpty();
        advance(1);
        assertThat(dispatchedArgs(worker)).containsExactly("b1", "b2", "d");
        advance(1000);
        assertThat(dispatchedArgs(worker)).containsExactly("c");
        advance(1000);
        assertThat(dispatchedArgs(worker)).containsExactly("a");
        assertThat(core.works.delayed()).isZero();
    }

    @Test
    void theAssignTimeoutCountsFromWhenTheWorkIsDue() {
        core(ManagerOptions.builder());
        Connection client = connect();
        send(client, "{'command':'push','rid':'r','work':['x'],'delay':1000,'assigntimeout':500}");
        frames(client);
        advance(999);
        advance(1); // due: its assign timeout starts now
        advance(499);
        assertThat(results(client)).isEmpty();
        advance(1);
        assertThat(results(client)).singleElement().satisfies(item -> assertThat(item.at("/result/err/code").asText()).isEqualTo("EATO"));
    }

    @Test
    void theClientLeavingOrAbortingDropsItsDelayedAndRetryingWorks() {
        core(ManagerOptions.builder());
        Connection client = connect();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1}");
        send(client, "{'command':'push','rid':'a','work':['a1','a2'],'delay':1000}");
        send(client, "{'command':'push','rid':'b','work':['b'],'retries':2,'backoff':1000}");
        send(client, "{'command':'push','rid':'c','work':['c'],'delay':1000}");
        List<JsonNode> answers = frames(client);
        String b = answers.get(1).get("work").get(0).asText();
        String c = answers.get(2).get("work").get(0).asText();
        dispatched(worker);
        fail(worker, b, "E");
        assertThat(core.works.delayed()).isEqualTo(3);
        assertThat(core.works.retrying()).isEqualTo(1);
        send(client, "{'command':'abort','rid':'a'}");
        assertThat(core.works.delayed()).isEqualTo(1);
        send(client, "{'command':'abort','work':['" + b + "']}");
        assertThat(frames(client)).anySatisfy(f -> assertThat(f.path("work").path(0).asText()).isEqualTo(b));
        assertThat(core.works.retrying()).isZero();
        core.disconnected(client); // c goes with it
        loop.runPendingTasks();
        assertThat(core.works.delayed()).isZero();
        assertThat(core.works.waiting.size()).isZero();
        assertThat(core.counts().liveWorks()).isZero();
        assertThat(core.memory.queuedBytes).isZero();
        advance(5000);
        assertThat(dispatched(worker)).isEmpty();
        assertThat(core.works.get(c)).isNull();
    }

    @Test
    void delayedWorksBeyondMaxDelayedAreRefused() {
        core(ManagerOptions.builder().maxDelayed(3));
        Connection client = connect();
        send(client, "{'command':'push','rid':'a','work':[1,2],'delay':1000}");
        send(client, "{'command':'push','rid':'b','work':[3,4],'delay':1000}");
        send(client, "{'command':'push','rid':'c','work':[5,6]}"); // not delayed: not counted
        List<JsonNode> answers = frames(client);
        assertThat(answers.get(0).has("error")).isFalse();
        assertThat(answers.get(1).at("/error/code").asText()).isEqualTo("ETOOMANYDELAYED");
        assertThat(answers.get(1).get("rid").asText()).isEqualTo("b");
        assertThat(answers.get(2).has("error")).isFalse();
        assertThat(core.works.delayed()).isEqualTo(2);
    }

    @Test
    void delayedWorksCountAgainstTheWorksMemoryBudget() {
        core(ManagerOptions.builder().maxQueuedBytes(2000));
        Connection client = connect();
        String big = "'" + "x".repeat(800) + "'";
        send(client, "{'command':'push','rid':'a','work':[" + big + "," + big + "],'delay':60000}");
        send(client, "{'command':'push','rid':'b','work':[" + big + "],'delay':60000}");
        List<JsonNode> answers = frames(client);
        assertThat(answers.get(0).has("error")).isFalse();
        assertThat(answers.get(1).at("/error/code").asText()).isEqualTo("ENOMEM");
        assertThat(core.memory.queuedBytes).isEqualTo(2 * 802);
        send(client, "{'command':'abort','rid':'a'}");
        assertThat(core.memory.queuedBytes).isZero();
    }

    @Test
    void statusAndTheSnapshotCountWaitingWorks() {
        core(ManagerOptions.builder());
        Connection client = connect();
        send(client, "{'command':'status'}");
        assertThat(frames(client).get(0).has("globalWorksDelayed")).isFalse(); // none: the original's answer
        send(client, "{'command':'push','rid':'a','work':[1,2],'delay':1000}");
        send(client, "{'command':'status'}");
        JsonNode status = frames(client).get(1);
        assertThat(status.get("globalWorksDelayed").asInt()).isEqualTo(2);
        assertThat(status.get("globalWorksWaitingRetry").asInt()).isZero();
        assertThat(status.get("pendingWorks").asInt()).isZero();
        assertThat(core.snapshot().waiting().delayed()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- bad values

    @ParameterizedTest
    @ValueSource(strings = {"'retries':-1", "'retries':1001", "'retries':'3'", "'retries':1.5", "'retries':null",
        "'backoff':-1", "'backoff':86400001", "'backoff':'100'", "'retries':2,'backoff':200,'backoffMax':100",
        "'backoffMax':true", "'retryOn':['x']", "'retryOn':[]", "'retryOn':'error'", "'retryOn':['error',1]",
        "'retryOn':['error','ETO','lost','error']"})
    void badRetriesAreRefusedWithEinvretry(String member) {
        core(ManagerOptions.builder());
        Connection client = connect();
        send(client, "{'command':'push','rid':'r','work':[1]," + member + "}");
        JsonNode answer = frames(client).get(0);
        assertThat(answer.at("/error/code").asText()).isEqualTo("EINVRETRY");
        assertThat(answer.get("rid").asText()).isEqualTo("r");
        assertThat(core.counts().liveWorks()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"'delay':-1", "'delay':2592000001", "'delay':'5'", "'delay':1e400", "'delay':{}",
        "'notBefore':-5", "'notBefore':'2026-12-01'", "'notBefore':99999999999999", "'notBefore':1.5"})
    void badDelaysAreRefusedWithEinvdelay(String member) {
        core(ManagerOptions.builder());
        Connection client = connect();
        send(client, "{'command':'push','rid':'r','work':[1]," + member + "}");
        assertThat(frames(client).get(0).at("/error/code").asText()).isEqualTo("EINVDELAY");
        assertThat(core.counts().liveWorks()).isZero();
    }

    @Test
    void theLargestValidValuesAreAccepted() {
        core(ManagerOptions.builder());
        Connection client = connect();
        send(client, "{'command':'push','rid':'r','work':[1],'retries':1000,'backoff':86400000,'backoffMax':86400000,"
                + "'retryOn':['lost','ETO','error'],'delay':2592000000,'notBefore':" + System.currentTimeMillis() + "}");
        assertThat(frames(client).get(0).has("error")).isFalse();
        assertThat(core.works.delayed()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- memory

    @Test
    void aDelayedWorkTakesAboutAsMuchHeapAsAQueuedOne() {
        int n = 100_000;
        long queued = heapPerWork(n, "");
        long delayed = heapPerWork(n, ",'delay':3600000");
        // A queued work is ~330 bytes (docs/performance.md); a delayed one adds its heap slot and nothing per work beyond.
        assertThat(delayed).isLessThan(queued + 48);
        assertThat(delayed).isLessThan(600);
    }

    /** The heap each of {@code n} works takes in a fresh core, pushed 1,000 a frame. */
    private long heapPerWork(int n, String extra) {
        EmbeddedChannel l = new EmbeddedChannel();
        l.freezeTime();
        DispatchCore c = new DispatchCore(l.eventLoop(), ManagerOptions.builder().build());
        EmbeddedChannel ch = new EmbeddedChannel();
        Connection client = c.connected(ch);
        long before = usedHeap();
        StringBuilder works = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            works.append(i == 0 ? "" : ",").append("{'n':").append(i).append('}');
        }
        for (int p = 0; p < n / 1000; p++) {
            c.receive(client, InboundDecoder.decode(("{'command':'push','rid':'r" + p + "','work':[" + works + "]" + extra + "}")
                    .replace('\'', '"').getBytes(StandardCharsets.UTF_8)));
            l.runPendingTasks();
            OutboundFrames.texts(ch); // the answers, let go
        }
        long after = usedHeap();
        assertThat(c.counts().liveWorks()).isEqualTo(n);
        long perWork = (after - before) / n;
        System.out.println("heap per work" + (extra.isEmpty() ? " (queued)" : " (delayed)") + ": " + perWork + " bytes");
        ch.finishAndReleaseAll();
        l.finishAndReleaseAll();
        return perWork;
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
